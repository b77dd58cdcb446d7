import { RuntimeError } from './errors';
import type { ModelInfo } from './proto/model-info';

/**
 * unfold's metadata in an exported file (see packages/onnx/README.md, "Metadata"), parsed and checked
 * against the graph, plus what the runtime derives from it: sizes, the vocabulary of a token model,
 * whether outputs are categorical, and the normalisation constants.
 */
export const UNFOLD_FORMAT = 'unfold-onnx/1';
const KEYS = { format: 'unfold.format', producer: 'unfold.producer', spec: 'unfold.spec', interface: 'unfold.interface', metadata: 'unfold.metadata' } as const;
/** Fixed interface names (packages/onnx: INPUT_NAME, SEQUENCE_LENS_NAME, OUTPUT_NAME). */
export const INPUT_NAME = 'input';
export const SEQUENCE_LENS_NAME = 'sequence_lens';
export const OUTPUT_NAME = 'output';
/** `sequence_lens` = [FULL_LENGTH] with shape [1] means every sequence is full length. */
export const FULL_LENGTH = 2147483647;

export interface UnfoldState {
  /** The state's path in the model (`body.h`, `layers.1.forward.c`). */
  readonly path: string;
  readonly size: number;
  /** Graph input of the initial value, or null when exported without state inputs. */
  readonly input: string | null;
  readonly output: string;
}

export interface Normalisation {
  readonly mean: number;
  readonly std: number;
}

/**
 * `features`: real-valued outputs (a forecaster can feed them back when O = I). `probabilities` /
 * `logits`: a token model whose outputs score the next token (O = vocabulary): a softmax head gives
 * probabilities, a linear head logits.
 */
export type OutputKind = 'features' | 'probabilities' | 'logits';

export interface UnfoldInfo {
  readonly producer: string;
  readonly spec: Readonly<Record<string, unknown>>;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The raw `unfold.interface` entry (names, dtypes, shapes and docs). */
  readonly interface: Readonly<Record<string, unknown>>;
  readonly inputKind: 'features' | 'tokens';
  readonly readout: 'sequence' | 'last';
  /** Features per step I, or the vocabulary size V of a token model. */
  readonly inputSize: number;
  readonly outputSize: number;
  readonly outputKind: OutputKind;
  readonly hasSequenceLens: boolean;
  readonly states: readonly UnfoldState[];
  /** `metadata.normalisation` when it is `{ mean, std }` with std > 0 (as `unfold train` writes it). */
  readonly normalisation: Normalisation | null;
  /** `metadata.window` when it is a positive integer: the window a forecaster was trained on. */
  readonly window: number | null;
}

function bad(where: string, what: string, got: string): RuntimeError {
  return new RuntimeError('E_MODEL', what, { where, expected: 'the metadata @unfold/onnx writes', got, fix: 'export the model again with @unfold/onnx, or serve it as a plain ONNX model (remove the unfold.* metadata)' });
}

function parseJson(metadata: Readonly<Record<string, string>>, key: string, where: string): Record<string, unknown> {
  const text = metadata[key];
  if (text === undefined) throw bad(`${where}: ${key}`, `metadata ${key} is missing`, 'no such entry');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad(`${where}: ${key}`, `metadata ${key} is not JSON`, text.slice(0, 60));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(`${where}: ${key}`, `metadata ${key} is not a JSON object`, text.slice(0, 60));
  return value as Record<string, unknown>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positiveInt(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : null;
}

/** Depth-first search of a spec tree for the first node of a kind. */
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

function normalisationOf(metadata: Readonly<Record<string, unknown>>): Normalisation | null {
  const n = metadata.normalisation;
  if (!isObject(n) || typeof n.mean !== 'number' || typeof n.std !== 'number') return null;
  return Number.isFinite(n.mean) && Number.isFinite(n.std) && n.std > 0 ? { mean: n.mean, std: n.std } : null;
}

function outputKindOf(spec: Readonly<Record<string, unknown>>, inputKind: 'features' | 'tokens', inputSize: number, outputSize: number): OutputKind {
  if (inputKind !== 'tokens' || outputSize !== inputSize) return 'features';
  const head = isObject(spec.children) ? spec.children.output : undefined;
  const activation = isObject(head) && isObject(head.config) ? head.config.activation : undefined;
  return activation === 'softmax' ? 'probabilities' : 'logits';
}

function lastDim(iface: Record<string, unknown>, list: 'inputs' | 'outputs', name: string): unknown {
  const entries = Array.isArray(iface[list]) ? (iface[list] as unknown[]) : [];
  const entry = entries.find((e) => isObject(e) && e.name === name);
  const shape = isObject(entry) && Array.isArray(entry.shape) ? entry.shape : [];
  return shape[shape.length - 1];
}

function statesOf(iface: Record<string, unknown>, where: string): UnfoldState[] {
  if (!Array.isArray(iface.states)) throw bad(where, 'the interface lists no states', typeof iface.states);
  return iface.states.map((s, i) => {
    if (!isObject(s) || typeof s.path !== 'string' || positiveInt(s.size) === null || typeof s.output !== 'string' || !(s.input === null || typeof s.input === 'string')) {
      throw bad(`${where}: states[${i}]`, 'a malformed state entry', JSON.stringify(s)?.slice(0, 80) ?? 'undefined');
    }
    return { path: s.path, size: s.size as number, input: s.input, output: s.output };
  });
}

/** True when the file says it was written by @unfold/onnx. */
export function isUnfoldModel(info: ModelInfo): boolean {
  return info.metadata[KEYS.format] !== undefined;
}

/** Parses and checks unfold's metadata; a file whose metadata disagrees with its graph is E_MODEL. */
export function readUnfoldInfo(info: ModelInfo, where = 'model'): UnfoldInfo {
  const format = info.metadata[KEYS.format];
  if (format !== UNFOLD_FORMAT) throw bad(where, 'unsupported unfold metadata format', JSON.stringify(format));
  const iface = parseJson(info.metadata, KEYS.interface, where);
  const spec = parseJson(info.metadata, KEYS.spec, where);
  const metadata = parseJson(info.metadata, KEYS.metadata, where);
  const inputKind = iface.inputKind;
  const readout = iface.readout;
  if (inputKind !== 'features' && inputKind !== 'tokens') throw bad(where, 'unknown inputKind', JSON.stringify(inputKind));
  if (readout !== 'sequence' && readout !== 'last') throw bad(where, 'unknown readout', JSON.stringify(readout));
  const states = statesOf(iface, where);
  const graphInputs = new Set(info.inputs.map((v) => v.name));
  const graphOutputs = new Set(info.outputs.map((v) => v.name));
  const expectedInputs = [INPUT_NAME, ...states.flatMap((s) => (s.input ? [s.input] : []))];
  const expectedOutputs = [OUTPUT_NAME, ...states.map((s) => s.output)];
  const missing = [...expectedInputs.filter((n) => !graphInputs.has(n)), ...expectedOutputs.filter((n) => !graphOutputs.has(n))];
  if (missing.length > 0) throw bad(where, 'the interface names values the graph does not have', missing.join(', '));
  const vocabulary = findNode(spec, 'embedding');
  const inputSize = inputKind === 'tokens' ? positiveInt(isObject(vocabulary?.config) ? vocabulary.config.vocabularySize : undefined) : positiveInt(lastDim(iface, 'inputs', INPUT_NAME));
  const outputSize = positiveInt(lastDim(iface, 'outputs', OUTPUT_NAME));
  if (inputSize === null) throw bad(where, inputKind === 'tokens' ? 'no embedding vocabularySize in the spec' : 'the input has no fixed feature size', 'none');
  if (outputSize === null) throw bad(where, 'the output has no fixed size', 'none');
  return {
    producer: info.metadata[KEYS.producer] ?? 'unknown',
    spec,
    metadata,
    interface: iface,
    inputKind,
    readout,
    inputSize,
    outputSize,
    outputKind: outputKindOf(spec, inputKind, inputSize, outputSize),
    hasSequenceLens: graphInputs.has(SEQUENCE_LENS_NAME),
    states,
    normalisation: inputKind === 'features' ? normalisationOf(metadata) : null,
    window: positiveInt(metadata.window),
  };
}
