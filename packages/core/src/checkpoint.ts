import { crc32 } from './crc32';
import { SerializationError } from './errors';
import type { WeightMap } from './host-tensor';
import { DEFAULT_MAX_JSON_DEPTH, parseJsonLimited } from './json';
import type { AnyPlugin, ResolvedNode } from './plugins';
import type { Registry } from './registry';
import { checkWeights, resolveModel } from './resolve';
import { decodeSafetensors, encodeSafetensors, headerRange } from './safetensors';
import { parseModelSpec, type ModelSpec } from './spec';
import { decodeTrainingState, encodeTrainingState, isReservedTensorName, type TrainingState } from './training-state';
import { CORE_PACKAGE, CORE_VERSION } from './version';

/**
 * The unfold checkpoint: one safetensors file (see safetensors.ts) whose `__metadata__` holds
 *
 * | key | value |
 * |---|---|
 * | `crc32` | 8 lower-case hex digits: CRC-32 of the whole file with these 8 digits read as `00000000`. Always the first key. |
 * | `format` | `unfold.checkpoint` |
 * | `format_version` | `1`, or `2` when the file carries a training state |
 * | `producer` | the writing package and version, `@unfold/core@0.1.0` |
 * | `spec` | the model spec as JSON |
 * | `plugins` | JSON `{ kind: { package, version, schemaVersion } }` for every kind in the spec |
 * | `training` | (version 2 only) the training state as JSON, see training-state.ts |
 *
 * and one F32 tensor per parameter, named by its full path (`layers.0.cell.W`); a training checkpoint adds
 * its optimizer slots under `__optimizer__/` and callback tensors under `__training__/`. Because `crc32`
 * comes first, its digits sit at a fixed offset (byte 34), so a reader can verify the file before trusting it.
 */
export const CHECKPOINT_FORMAT = 'unfold.checkpoint';
/** The highest version read; files without a training state are still written as version 1. */
export const CHECKPOINT_FORMAT_VERSION = 2;

const CRC_PREFIX = '{"__metadata__":{"crc32":"';
const CRC_OFFSET = 8 + CRC_PREFIX.length;
const CRC_PLACEHOLDER = '00000000';

export interface ModelData {
  readonly spec: ModelSpec;
  readonly weights: WeightMap;
}

export interface PluginStamp {
  readonly package: string;
  readonly version: string;
  readonly schemaVersion: number;
}

/** What a checkpoint holds, read without a registry (for inspection). */
export interface CheckpointContents extends ModelData {
  readonly producer: string;
  readonly plugins: Readonly<Record<string, PluginStamp>>;
  /** The training part, unread: its metadata JSON and its tensors under the reserved prefixes. */
  readonly training?: { readonly metadata: string; readonly tensors: WeightMap };
}

function specKinds(spec: ModelSpec, into = new Set<string>()): Set<string> {
  into.add(spec.kind);
  for (const child of Object.values(spec.children ?? {})) {
    for (const item of Array.isArray(child) ? child : [child as ModelSpec]) specKinds(item, into);
  }
  return into;
}

function checksumOf(bytes: Uint8Array): number {
  const copy = bytes.slice();
  copy.set(new TextEncoder().encode(CRC_PLACEHOLDER), CRC_OFFSET);
  return crc32(copy);
}

function hex(value: number): string {
  return value.toString(16).padStart(8, '0');
}

/**
 * Writes a model to checkpoint bytes. The spec is validated against the registry and the weights
 * against the spec first, so a checkpoint that cannot be loaded is never written.
 */
export function serializeModel(registry: Registry, model: ModelData): Uint8Array {
  return encodeCheckpoint(registry, model);
}

/**
 * Writes a model and its training state to checkpoint bytes (format version 2): the state's weights are the
 * model tensors, its optimizer slots and callback tensors extra tensors under the reserved prefixes, the
 * rest JSON under `training`. `loadModel`/`deserializeModel` read such a file as the model alone.
 */
export function serializeTrainingCheckpoint(registry: Registry, model: { readonly spec: ModelSpec }, state: TrainingState): Uint8Array {
  return encodeCheckpoint(registry, { spec: model.spec, weights: state.weights }, encodeTrainingState(state));
}

function encodeCheckpoint(registry: Registry, model: ModelData, training?: { metadata: string; tensors: WeightMap }): Uint8Array {
  const root = resolveModel(registry, model.spec);
  checkWeights(root, model.weights, 'serializeModel');
  const plugins: Record<string, PluginStamp> = {};
  for (const kind of specKinds(model.spec)) {
    const plugin = registry.lookup(kind);
    plugins[kind] = { package: plugin.meta.package, version: plugin.meta.version, schemaVersion: plugin.schemaVersion };
  }
  const bytes = encodeSafetensors({
    metadata: {
      crc32: CRC_PLACEHOLDER,
      format: CHECKPOINT_FORMAT,
      format_version: training ? '2' : '1',
      producer: `${CORE_PACKAGE}@${CORE_VERSION}`,
      spec: JSON.stringify(model.spec),
      plugins: JSON.stringify(plugins),
      ...(training ? { training: training.metadata } : {}),
    },
    tensors: { ...model.weights, ...training?.tensors },
  });
  bytes.set(new TextEncoder().encode(hex(checksumOf(bytes))), CRC_OFFSET);
  return bytes;
}

function parseJsonField(text: string | undefined, key: string, where: string): unknown {
  const parsed = parseJsonLimited(text ?? '');
  if (parsed.ok) return parsed.value;
  if (parsed.reason === 'depth') throw new SerializationError(`metadata ${key} is nested too deeply`, { where, expected: `JSON under __metadata__.${key} at most ${DEFAULT_MAX_JSON_DEPTH} levels deep`, got: parsed.message, fix: 'the file is corrupt or was not written by unfold' });
  throw new SerializationError(`metadata ${key} is not JSON`, { where, expected: `JSON under __metadata__.${key}`, got: (text ?? 'nothing').slice(0, 60), fix: 'the file is corrupt; restore it or save it again' });
}

/** Reads and verifies checkpoint bytes without a registry: format, structure and checksum. */
export function readCheckpoint(bytes: Uint8Array, where = 'checkpoint'): CheckpointContents {
  const { end } = headerRange(bytes, where);
  const prefix = new TextDecoder().decode(bytes.subarray(8, Math.min(end, CRC_OFFSET + 8)));
  if (end < CRC_OFFSET + 8 || !prefix.startsWith(CRC_PREFIX) || !/^[0-9a-f]{8}$/.test(prefix.slice(CRC_PREFIX.length))) {
    throw new SerializationError('not an unfold checkpoint', {
      where,
      expected: `a safetensors file whose metadata starts with the unfold crc32 ("${CRC_PREFIX}...")`,
      got: `a file starting ${JSON.stringify(prefix.slice(0, 24))}`,
      fix: 'pass a file written by unfold (saveModel/serializeModel); ONNX files are read by @unfold/onnx instead',
    });
  }
  const contents = decodeSafetensors(bytes, where);
  const stored = prefix.slice(CRC_PREFIX.length);
  const actual = hex(checksumOf(bytes));
  if (stored !== actual) {
    throw new SerializationError('checksum mismatch: the file is corrupt', { where, expected: `crc32 ${stored} (stored in the header)`, got: `crc32 ${actual} (computed)`, fix: 'some bytes changed after the file was written; restore it from its source or save it again' });
  }
  const { metadata } = contents;
  if (metadata.format !== CHECKPOINT_FORMAT) {
    throw new SerializationError('not an unfold checkpoint', { where, expected: `format ${CHECKPOINT_FORMAT}`, got: `format ${JSON.stringify(metadata.format)}` });
  }
  const version = Number(metadata.format_version);
  if (!Number.isSafeInteger(version) || version < 1 || version > CHECKPOINT_FORMAT_VERSION) {
    throw new SerializationError('unsupported checkpoint format version', { where, expected: `format_version 1 to ${CHECKPOINT_FORMAT_VERSION}`, got: String(metadata.format_version), fix: `upgrade ${CORE_PACKAGE} to read checkpoints written by ${metadata.producer ?? 'a newer version'}` });
  }
  const spec = parseModelSpec(parseJsonField(metadata.spec, 'spec', where), `${where}: spec`);
  const plugins = parseJsonField(metadata.plugins, 'plugins', where) as Record<string, PluginStamp>;
  // Null-prototype maps: a tensor named `__proto__` stays a key (and fails the unexpected-weight check).
  const weights: Record<string, WeightMap[string]> = Object.create(null) as Record<string, WeightMap[string]>;
  const reserved: Record<string, WeightMap[string]> = Object.create(null) as Record<string, WeightMap[string]>;
  for (const [name, tensor] of Object.entries(contents.tensors)) (isReservedTensorName(name) ? reserved : weights)[name] = tensor;
  const hasTraining = version >= 2 && metadata.training !== undefined;
  if (!hasTraining && Object.keys(reserved).length > 0) {
    throw new SerializationError('training tensors without a training state', { where, expected: 'reserved __optimizer__/ and __training__/ tensors only in a version-2 file with __metadata__.training', got: Object.keys(reserved)[0] as string, fix: 'the file is corrupt or not written by unfold; save it again' });
  }
  return { spec, weights, producer: metadata.producer ?? 'unknown', plugins, ...(hasTraining ? { training: { metadata: metadata.training as string, tensors: reserved } } : {}) };
}

/** Upgrades each node's config written with an older plugin schemaVersion through the plugin's `migrate`. */
export function migrateSpec(registry: Registry, spec: ModelSpec, plugins: Readonly<Record<string, PluginStamp>>, where = 'checkpoint'): ModelSpec {
  const plugin: AnyPlugin = registry.lookup(spec.kind, where);
  const stamp = plugins[spec.kind];
  let config = spec.config;
  if (stamp && stamp.schemaVersion !== plugin.schemaVersion) {
    if (stamp.schemaVersion > plugin.schemaVersion) {
      throw new SerializationError(`${spec.kind} config is from a newer plugin`, { where, expected: `schemaVersion <= ${plugin.schemaVersion} (${plugin.meta.package}@${plugin.meta.version})`, got: `schemaVersion ${stamp.schemaVersion} (${stamp.package}@${stamp.version})`, fix: `upgrade ${plugin.meta.package} to ${stamp.version} or later` });
    }
    if (!plugin.migrate) {
      throw new SerializationError(`${spec.kind} cannot migrate its config`, { where, expected: `schemaVersion ${plugin.schemaVersion} or a migrate() in ${plugin.meta.package}`, got: `schemaVersion ${stamp.schemaVersion}` });
    }
    config = plugin.migrate(config ?? {}, stamp.schemaVersion) as ModelSpec['config'];
  }
  const children = spec.children
    ? Object.fromEntries(Object.entries(spec.children).map(([slot, child]) => [slot, Array.isArray(child) ? child.map((item) => migrateSpec(registry, item, plugins, where)) : migrateSpec(registry, child as ModelSpec, plugins, where)]))
    : undefined;
  return { ...spec, ...(config ? { config } : {}), ...(children ? { children } : {}) };
}

/**
 * Reads checkpoint bytes into a validated model: verifies the file, migrates old configs, resolves
 * the spec against the registry and checks every weight is present with the right shape.
 */
export function deserializeModel(registry: Registry, bytes: Uint8Array, where = 'checkpoint'): ModelData & { readonly root: ResolvedNode } {
  return modelOf(registry, readCheckpoint(bytes, where), where);
}

function modelOf(registry: Registry, contents: CheckpointContents, where: string): ModelData & { readonly root: ResolvedNode } {
  const spec = migrateSpec(registry, contents.spec, contents.plugins, where);
  const root = resolveModel(registry, spec);
  checkWeights(root, contents.weights, where);
  return { spec, weights: contents.weights, root };
}

/**
 * Reads a checkpoint written by `serializeTrainingCheckpoint`: the model (as `deserializeModel`) and its
 * training state, checked against the weights. A file without one, or with a corrupt or foreign training
 * part, is a SerializationError (E_SERIALIZATION).
 */
export function deserializeTrainingCheckpoint(registry: Registry, bytes: Uint8Array, where = 'checkpoint'): ModelData & { readonly root: ResolvedNode; readonly state: TrainingState } {
  const contents = readCheckpoint(bytes, where);
  const model = modelOf(registry, contents, where);
  if (!contents.training) {
    throw new SerializationError('the checkpoint has no training state', { where, expected: 'a checkpoint written during training (fit with checkpointEvery / onCheckpoint)', got: 'a model-only checkpoint', fix: 'resume from a training checkpoint, or start a new run from these weights' });
  }
  return { ...model, state: decodeTrainingState(contents.training.metadata, contents.training.tensors, model.weights, `${where}: training state`) };
}
