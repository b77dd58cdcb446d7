import { METADATA_FORMAT, METADATA_FORMAT_V1, METADATA_KEYS, type EntryInterface, type EntryManifest, type InterfaceState } from '@unfold/core/interface';
import type { ModelInfo } from '../proto/model-info';
import { checkAgainstGraph } from './graph-agreement';
import { readEntryInterface } from './interface-v2';
import { readManifest } from './manifest';
import { badMetadata, isObject, parseJson, positiveInt } from './metadata-json';
import { entryFromV1 } from './v1-compat';

/**
 * unfold's metadata in an exported file (packages/onnx/README.md, "Metadata"; the names are
 * @unfold/core/interface's), parsed and checked against the graph. Both formats give the same view:
 * a v2 file declares its entry (ports, states of any shape, tasks, semantics); a v1 file is converted by
 * `entryFromV1` (entry `main`, states of shape [size]). What the runtime derives for sequence
 * operations is the entry's `sequence` view.
 */
export type UnfoldState = InterfaceState;

export interface Normalisation {
  readonly mean: number;
  readonly std: number;
}

/**
 * `features`: real-valued outputs (a forecaster can feed them back when O = I). `probabilities` /
 * `logits`: a token model whose outputs score the next token (O = vocabulary): a softmax head gives
 * probabilities, a linear head logits. Declared by v2 files as `semantics.emits`.
 */
export type OutputKind = 'features' | 'probabilities' | 'logits';

/** An entry seen as a sequence model: one features or tokens input port, one output port. */
export interface UnfoldInfo {
  readonly producer: string;
  readonly spec: Readonly<Record<string, unknown>>;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly entry: string;
  readonly inputKind: 'features' | 'tokens';
  /** `sequence`: an output row per step; `last` / `pooled` (and a vector output port): one row per sequence. */
  readonly readout: 'sequence' | 'last' | 'pooled';
  /** Features per step I, or the vocabulary size V of a token model. */
  readonly inputSize: number;
  readonly outputSize: number;
  readonly outputKind: OutputKind;
  /** Graph values: the input port's tensor, its lengths (null when exported without), the output port's tensor. */
  readonly input: string;
  readonly lengths: string | null;
  readonly output: string;
  readonly hasSequenceLens: boolean;
  readonly states: readonly UnfoldState[];
  /** `metadata.normalisation` when it is `{ mean, std }` with std > 0 (as `unfold train` writes it). */
  readonly normalisation: Normalisation | null;
  /** `metadata.window` when it is a positive integer: the window a forecaster was trained on. */
  readonly window: number | null;
}

/** One entry of a model: its declared interface, and its sequence view when it has one. */
export interface EntryInfo {
  readonly name: string;
  readonly tasks: readonly string[];
  readonly interface: EntryInterface;
  readonly producer: string;
  readonly spec: Readonly<Record<string, unknown>>;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly sequence: UnfoldInfo | null;
}

export interface UnfoldFile {
  readonly entry: EntryInfo;
  /** `unfold.entries` of a multi-entry model's file; null for a single-entry model. */
  readonly manifest: EntryManifest | null;
}

function normalisationOf(metadata: Readonly<Record<string, unknown>>): Normalisation | null {
  const n = metadata.normalisation;
  if (!isObject(n) || typeof n.mean !== 'number' || typeof n.std !== 'number') return null;
  return Number.isFinite(n.mean) && Number.isFinite(n.std) && n.std > 0 ? { mean: n.mean, std: n.std } : null;
}

/** The sequence view of an entry, or null when its ports are not one sequence in and one output out. */
function sequenceView(iface: EntryInterface, common: Pick<UnfoldInfo, 'producer' | 'spec' | 'metadata'>, where: string): UnfoldInfo | null {
  const [input, ...moreInputs] = iface.ports.inputs;
  const [output, ...moreOutputs] = iface.ports.outputs;
  if (!input || !output || moreInputs.length > 0 || moreOutputs.length > 0) return null;
  if ((input.kind !== 'features' && input.kind !== 'tokens') || (output.kind !== 'features' && output.kind !== 'vector')) return null;
  const vocabulary = iface.semantics.vocabulary;
  if (input.kind === 'tokens' && vocabulary && vocabulary.size !== input.size) throw badMetadata(`${where}: semantics.vocabulary`, 'the vocabulary differs from the token port’s size', `${vocabulary.size} and ${input.size}`);
  const metadata = common.metadata;
  return {
    ...common,
    entry: iface.entry,
    inputKind: input.kind,
    readout: output.kind === 'vector' ? 'last' : iface.semantics.readout,
    inputSize: input.size,
    outputSize: output.size,
    outputKind: iface.semantics.emits,
    input: input.tensor,
    lengths: input.lengths ?? null,
    output: output.tensor,
    hasSequenceLens: Boolean(input.lengths),
    states: iface.states,
    normalisation: input.kind === 'features' ? normalisationOf(metadata) : null,
    window: positiveInt(metadata.window),
  };
}

/** True when the file says it was written by @unfold/onnx. */
export function isUnfoldModel(info: ModelInfo): boolean {
  return info.metadata[METADATA_KEYS.format] !== undefined;
}

/** Parses and checks unfold's metadata (v1 or v2); a file whose metadata disagrees with its graph is E_MODEL. */
export function readUnfoldFile(info: ModelInfo, where = 'model'): UnfoldFile {
  const format = info.metadata[METADATA_KEYS.format];
  if (format !== METADATA_FORMAT && format !== METADATA_FORMAT_V1) throw badMetadata(where, 'unsupported unfold metadata format', JSON.stringify(format));
  const v1 = format === METADATA_FORMAT_V1;
  const raw = parseJson(info.metadata, METADATA_KEYS.interface, where);
  const spec = parseJson(info.metadata, METADATA_KEYS.spec, where, v1 ? undefined : {});
  const metadata = parseJson(info.metadata, METADATA_KEYS.metadata, where, v1 ? undefined : {});
  const iface = v1 ? entryFromV1(raw, spec, info, where) : readEntryInterface(raw, where);
  checkAgainstGraph(iface, info, where);
  const common = { producer: info.metadata[METADATA_KEYS.producer] ?? 'unknown', spec, metadata };
  const manifest = !v1 && info.metadata[METADATA_KEYS.entries] !== undefined ? readManifest(parseJson(info.metadata, METADATA_KEYS.entries, where), where) : null;
  if (manifest && !manifest.entries.some((e) => e.name === iface.entry)) throw badMetadata(`${where}: unfold.interface`, 'the file’s entry is not in its manifest', JSON.stringify(iface.entry));
  return { entry: { name: iface.entry, tasks: iface.tasks, interface: iface, ...common, sequence: sequenceView(iface, common, where) }, manifest };
}

/** True when the file carries a manifest (`unfold.entries`): it is one entry file of a multi-entry model's folder. */
export function isEntryFile(info: ModelInfo): boolean {
  return isUnfoldModel(info) && info.metadata[METADATA_KEYS.entries] !== undefined;
}
