import { INPUT_NAME, MAIN_ENTRY, OUTPUT_NAME, SEQUENCE_LENS_NAME, sequenceTasks, type EntryInterface, type InterfaceSemantics, type InterfaceState, type InterfaceTensor } from '@unfold/core/interface';
import type { ModelInfo } from '../proto/model-info';
import { badMetadata, isObject, positiveInt, shortJson } from './metadata-json';

/**
 * Files written before contracts v2 (`unfold.format` = `unfold-onnx/1`) seen as a v2 entry: one entry
 * `main`, tasks derived from the interface as v1 did (`sequenceTasks`), every state of shape [size].
 *
 * v1 files do not declare what they read and emit, so this is the one place that digs through the spec:
 * the vocabulary of a token model is its embedding's `vocabularySize`, and a token model whose O = V
 * head has a softmax emits probabilities (logits otherwise). v2 files declare both in `semantics`.
 */
function findNode(node: unknown, kind: string): Record<string, unknown> | undefined {
  if (!isObject(node)) return undefined;
  if (node.kind === kind) return node;
  const children = isObject(node.children) ? Object.values(node.children) : [];
  for (const child of children.flatMap((c) => (Array.isArray(c) ? c : [c]))) {
    const found = findNode(child, kind);
    if (found) return found;
  }
  return undefined;
}

function v1Emits(spec: Readonly<Record<string, unknown>>, inputKind: 'features' | 'tokens', inputSize: number, outputSize: number): InterfaceSemantics['emits'] {
  if (inputKind !== 'tokens' || outputSize !== inputSize) return 'features';
  const head = isObject(spec.children) ? spec.children.output : undefined;
  const activation = isObject(head) && isObject(head.config) ? head.config.activation : undefined;
  return activation === 'softmax' ? 'probabilities' : 'logits';
}

function v1Vocabulary(spec: Readonly<Record<string, unknown>>): number | null {
  const embedding = findNode(spec, 'embedding');
  return positiveInt(isObject(embedding?.config) ? embedding.config.vocabularySize : undefined);
}

function lastDim(tensors: readonly InterfaceTensor[], name: string): unknown {
  const shape = tensors.find((t) => t.name === name)?.shape ?? [];
  return shape[shape.length - 1];
}

function tensorsOf(value: unknown): InterfaceTensor[] {
  return (Array.isArray(value) ? value : []).filter((t): t is InterfaceTensor => isObject(t) && typeof t.name === 'string' && Array.isArray(t.shape));
}

function v1States(iface: Record<string, unknown>, where: string): InterfaceState[] {
  if (!Array.isArray(iface.states)) throw badMetadata(where, 'the interface lists no states', typeof iface.states);
  return iface.states.map((s, i) => {
    if (!isObject(s) || typeof s.path !== 'string' || positiveInt(s.size) === null || typeof s.output !== 'string' || !(s.input === null || typeof s.input === 'string')) {
      throw badMetadata(`${where}: states[${i}]`, 'a malformed state entry', shortJson(s));
    }
    return { path: s.path, shape: [s.size as number], size: s.size as number, input: s.input, output: s.output };
  });
}

/** The v2 view of a v1 interface (`unfold.interface` with `version: 1`), checked as v1 was. */
export function entryFromV1(iface: Record<string, unknown>, spec: Readonly<Record<string, unknown>>, graph: ModelInfo, where: string): EntryInterface {
  const inputKind = iface.inputKind;
  const readout = iface.readout;
  if (inputKind !== 'features' && inputKind !== 'tokens') throw badMetadata(where, 'unknown inputKind', JSON.stringify(inputKind));
  if (readout !== 'sequence' && readout !== 'last') throw badMetadata(where, 'unknown readout', JSON.stringify(readout));
  const states = v1States(iface, where);
  const inputs = tensorsOf(iface.inputs);
  const outputs = tensorsOf(iface.outputs);
  const inputSize = inputKind === 'tokens' ? v1Vocabulary(spec) : positiveInt(lastDim(inputs, INPUT_NAME));
  const outputSize = positiveInt(lastDim(outputs, OUTPUT_NAME));
  if (inputSize === null) throw badMetadata(where, inputKind === 'tokens' ? 'no embedding vocabularySize in the spec' : 'the input has no fixed feature size', 'none');
  if (outputSize === null) throw badMetadata(where, 'the output has no fixed size', 'none');
  const semantics: InterfaceSemantics = { readout, emits: v1Emits(spec, inputKind, inputSize, outputSize), vocabulary: inputKind === 'tokens' ? { size: inputSize } : null, tokenizer: null };
  const lengths = graph.inputs.some((v) => v.name === SEQUENCE_LENS_NAME) ? SEQUENCE_LENS_NAME : null;
  return {
    version: 2,
    entry: MAIN_ENTRY,
    tasks: sequenceTasks({ states, semantics, inputKind, inputSize, outputSize }),
    ports: {
      inputs: [{ name: INPUT_NAME, kind: inputKind, size: inputSize, tensor: INPUT_NAME, lengths }],
      outputs: [{ name: OUTPUT_NAME, kind: 'features', size: outputSize, tensor: OUTPUT_NAME }],
    },
    semantics,
    inputs,
    outputs,
    states,
  };
}
