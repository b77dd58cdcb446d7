import { INTERFACE_VERSION, type EntryInterface, type InterfacePort, type InterfaceSemantics, type InterfaceState, type InterfaceTensor } from '@unfold/core/interface';
import { badMetadata, isObject, positiveInt, shortJson, stringList } from './metadata-json';

/**
 * A v2 `unfold.interface` (one entry's EntryInterface, see @unfold/core/interface) checked field by
 * field: a file that says v2 must say it completely, so nothing downstream guesses.
 */
const PORT_KINDS = ['features', 'tokens', 'vector', 'tree'] as const;
const READOUTS = ['sequence', 'last', 'pooled'] as const;
const EMITS = ['features', 'probabilities', 'logits'] as const;

function oneOf<T extends string>(value: unknown, choices: readonly T[]): value is T {
  return typeof value === 'string' && (choices as readonly string[]).includes(value);
}

function readPort(value: unknown, where: string): InterfacePort {
  if (!isObject(value) || typeof value.name !== 'string' || !oneOf(value.kind, PORT_KINDS) || positiveInt(value.size) === null || typeof value.tensor !== 'string') {
    throw badMetadata(where, 'a malformed port', shortJson(value));
  }
  const lengths = value.lengths ?? null;
  if (!(lengths === null || typeof lengths === 'string')) throw badMetadata(`${where}.lengths`, 'a malformed port', shortJson(value));
  return { name: value.name, kind: value.kind, size: value.size as number, tensor: value.tensor, lengths };
}

function readState(value: unknown, where: string): InterfaceState {
  const shape = isObject(value) && Array.isArray(value.shape) ? value.shape : [];
  if (!isObject(value) || typeof value.path !== 'string' || shape.length === 0 || shape.some((d) => positiveInt(d) === null) || typeof value.output !== 'string' || !(value.input === null || typeof value.input === 'string')) {
    throw badMetadata(where, 'a malformed state entry', shortJson(value));
  }
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  if (value.size !== size) throw badMetadata(`${where}.size`, 'a state size that is not the product of its shape', `size ${shortJson(value.size)} for shape [${shape.join(', ')}]`);
  return { path: value.path, shape: shape as number[], size, input: value.input, output: value.output };
}

function readSemantics(value: unknown, where: string): InterfaceSemantics {
  if (!isObject(value) || !oneOf(value.readout, READOUTS) || !oneOf(value.emits, EMITS)) throw badMetadata(where, 'malformed semantics', shortJson(value));
  const vocabulary = value.vocabulary ?? null;
  if (!(vocabulary === null || (isObject(vocabulary) && positiveInt(vocabulary.size) !== null && (vocabulary.tokens === undefined || stringList(vocabulary.tokens))))) {
    throw badMetadata(`${where}.vocabulary`, 'a malformed vocabulary', shortJson(vocabulary));
  }
  const tokenizer = value.tokenizer ?? null;
  if (!(tokenizer === null || isObject(tokenizer))) throw badMetadata(`${where}.tokenizer`, 'a malformed tokenizer', shortJson(tokenizer));
  return { readout: value.readout, emits: value.emits, vocabulary: vocabulary as InterfaceSemantics['vocabulary'], tokenizer };
}

function readTensors(value: unknown, where: string): InterfaceTensor[] {
  if (!Array.isArray(value)) throw badMetadata(where, 'a missing tensor list', shortJson(value));
  return value.map((t, i) => {
    if (!isObject(t) || typeof t.name !== 'string' || !Array.isArray(t.shape)) throw badMetadata(`${where}[${i}]`, 'a malformed tensor entry', shortJson(t));
    return { name: t.name, dtype: t.dtype as InterfaceTensor['dtype'], shape: t.shape as InterfaceTensor['shape'], doc: typeof t.doc === 'string' ? t.doc : '' };
  });
}

/** The EntryInterface in `iface`; E_MODEL for anything missing or malformed. */
export function readEntryInterface(iface: Record<string, unknown>, where: string): EntryInterface {
  if (iface.version !== INTERFACE_VERSION) throw badMetadata(`${where}: version`, 'unsupported interface version', shortJson(iface.version));
  if (typeof iface.entry !== 'string' || iface.entry === '') throw badMetadata(`${where}: entry`, 'the interface names no entry', shortJson(iface.entry));
  if (!stringList(iface.tasks)) throw badMetadata(`${where}: tasks`, 'the interface declares no task list', shortJson(iface.tasks));
  const ports = isObject(iface.ports) ? iface.ports : {};
  if (!Array.isArray(ports.inputs) || !Array.isArray(ports.outputs)) throw badMetadata(`${where}: ports`, 'the interface declares no ports', shortJson(iface.ports));
  if (!Array.isArray(iface.states)) throw badMetadata(`${where}: states`, 'the interface lists no states', typeof iface.states);
  return {
    version: INTERFACE_VERSION,
    entry: iface.entry,
    tasks: iface.tasks,
    ports: { inputs: ports.inputs.map((p, i) => readPort(p, `${where}: ports.inputs[${i}]`)), outputs: ports.outputs.map((p, i) => readPort(p, `${where}: ports.outputs[${i}]`)) },
    semantics: readSemantics(iface.semantics, `${where}: semantics`),
    inputs: readTensors(iface.inputs, `${where}: inputs`),
    outputs: readTensors(iface.outputs, `${where}: outputs`),
    states: iface.states.map((s, i) => readState(s, `${where}: states[${i}]`)),
  };
}
