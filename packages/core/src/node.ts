import { randomBytes } from 'node:crypto';
import { lstat, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { deserializeModel, deserializeTrainingCheckpoint, serializeModel, serializeTrainingCheckpoint, type ModelData } from './checkpoint';
import { SerializationError } from './errors';
import type { ResolvedNode } from './plugins';
import type { Registry } from './registry';
import type { ModelSpec } from './spec';
import type { TrainingState } from './training-state';

/**
 * Node-only file helpers (`@unfold/core/node`). Kept out of the main entry so the core runs in browsers
 * and Workers. Writes are atomic: a temporary file in the same folder is written and flushed, then
 * renamed over the target, so a crash or a failed write leaves the old file intact; the temporary files a
 * killed save left are removed by the next successful save of the same file (`staleTempMs`).
 */
export interface AtomicWriteOptions {
  /** Writes the temporary file; injectable so tests can fail a write midway. */
  readonly writeTemp?: (path: string, bytes: Uint8Array) => Promise<void>;
  /**
   * A process killed mid-save leaves its `.<name>.<hex>.tmp` file behind. After every successful write,
   * the target's temporary files older than this many milliseconds (default 5 minutes: no live save of
   * the same file takes that long between its write and its rename) are removed.
   */
  readonly staleTempMs?: number;
}

const DEFAULT_STALE_TEMP_MS = 5 * 60 * 1000;

/** Temporary files `writeFileAtomic` names for `path`: `.<name>.<12 hex digits>.tmp` in its folder. */
function isTempOf(path: string, file: string): boolean {
  const prefix = `.${basename(path)}.`;
  return file.startsWith(prefix) && /^[0-9a-f]{12}\.tmp$/.test(file.slice(prefix.length));
}

/** Removes the stale temporary files of earlier, killed saves of `path`; best effort (errors are ignored). */
async function removeStaleTemps(path: string, olderThanMs: number): Promise<void> {
  const folder = dirname(path);
  const files = await readdir(folder).catch(() => [] as string[]);
  const now = Date.now();
  for (const file of files.filter((f) => isTempOf(path, f))) {
    const info = await lstat(join(folder, file)).catch(() => null);
    if (info?.isFile() && now - info.mtimeMs > olderThanMs) await rm(join(folder, file), { force: true }).catch(() => undefined);
  }
}

/** Writes a file and flushes it to the disk before returning (the step before an atomic rename). */
export async function writeAndFlush(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function writeFileAtomic(path: string, bytes: Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await (options.writeTemp ?? writeAndFlush)(temp, bytes);
    await rename(temp, path);
  } catch (cause) {
    await rm(temp, { force: true });
    throw new SerializationError('could not write file', { where: path, expected: 'a writable folder with free space', got: String((cause as Error)?.message ?? cause), fix: 'check the path, permissions and disk space; the previous file, if any, is unchanged' }, { cause });
  }
  await removeStaleTemps(path, options.staleTempMs ?? DEFAULT_STALE_TEMP_MS);
}

/** Saves a model checkpoint atomically (see checkpoint.ts for the format). */
export async function saveModel(registry: Registry, path: string, model: ModelData, options: AtomicWriteOptions = {}): Promise<void> {
  await writeFileAtomic(path, serializeModel(registry, model), options);
}

/** Saves a model with its training state atomically (`serializeTrainingCheckpoint`), e.g. from fit's `onCheckpoint`. */
export async function saveTrainingCheckpoint(registry: Registry, path: string, model: { readonly spec: ModelSpec }, state: TrainingState, options: AtomicWriteOptions = {}): Promise<void> {
  await writeFileAtomic(path, serializeTrainingCheckpoint(registry, model, state), options);
}

async function readCheckpointFile(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new SerializationError('could not read checkpoint', { where: path, expected: 'an existing, readable file', got: String((cause as Error)?.message ?? cause), fix: 'check the path' }, { cause });
  }
}

/** Loads and verifies a checkpoint file (a training checkpoint's training part is ignored). */
export async function loadModel(registry: Registry, path: string): Promise<ModelData & { readonly root: ResolvedNode }> {
  return deserializeModel(registry, await readCheckpointFile(path), path);
}

/** Loads a training checkpoint: the model and the state to pass to fit's `resume`. */
export async function loadTrainingCheckpoint(registry: Registry, path: string): Promise<ModelData & { readonly root: ResolvedNode; readonly state: TrainingState }> {
  return deserializeTrainingCheckpoint(registry, await readCheckpointFile(path), path);
}
