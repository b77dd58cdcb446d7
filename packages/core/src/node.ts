import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { deserializeModel, serializeModel, type ModelData } from './checkpoint';
import { SerializationError } from './errors';
import type { ResolvedNode } from './plugins';
import type { Registry } from './registry';

/**
 * Node-only file helpers (`@unfold/core/node`). Kept out of the main entry so the core runs in browsers
 * and Workers. Writes are atomic: a temporary file in the same folder is written and flushed, then
 * renamed over the target, so a crash or a failed write leaves the old file intact.
 */
export interface AtomicWriteOptions {
  /** Writes the temporary file; injectable so tests can fail a write midway. */
  readonly writeTemp?: (path: string, bytes: Uint8Array) => Promise<void>;
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
}

/** Saves a model checkpoint atomically (see checkpoint.ts for the format). */
export async function saveModel(registry: Registry, path: string, model: ModelData, options: AtomicWriteOptions = {}): Promise<void> {
  await writeFileAtomic(path, serializeModel(registry, model), options);
}

/** Loads and verifies a checkpoint file. */
export async function loadModel(registry: Registry, path: string): Promise<ModelData & { readonly root: ResolvedNode }> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new SerializationError('could not read checkpoint', { where: path, expected: 'an existing, readable file', got: String((cause as Error)?.message ?? cause), fix: 'check the path' }, { cause });
  }
  return deserializeModel(registry, bytes, path);
}
