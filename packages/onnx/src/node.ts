import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SerializationError, type ModelData, type Registry, type ResolvedNode } from '@unfold/core';
import { writeAndFlush, writeFileAtomic, type AtomicWriteOptions } from '@unfold/core/node';
import type { EntryOptions, ExportEntry } from './entry';
import { exportEntries, modelExports, sequenceRoot, type ExportedEntries } from './export-entries';
import type { InterfaceOptions } from './interface';
import { exportModel, type ExportOptions } from './export-model';

/**
 * Node-only (`@unfold/onnx/node`): exports a model and writes the .onnx file atomically. The whole file is
 * built in memory first (so an unsupported model throws before anything is written), then written to a
 * temporary file in the same folder and renamed over `path`: a failure never leaves a partial file, and
 * an existing file at `path` stays as it was. Returns the bytes written.
 */
export async function exportModelFile(registry: Registry, path: string, model: ModelData, options: ExportOptions & AtomicWriteOptions = {}): Promise<Uint8Array> {
  const bytes = exportModel(registry, model, options);
  await writeFileAtomic(path, bytes, options.writeTemp ? { writeTemp: options.writeTemp } : {});
  return bytes;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Writes a model's entries as one artefact: a model of several entries is a folder `path` holding
 * `<entry>.onnx` per entry (each a standalone ONNX model carrying the manifest), written into a temporary
 * sibling folder, flushed, then renamed to `path` (a folder already there is moved aside first and
 * removed after): a failure leaves no partial folder, and the previous one stays until the new one is
 * complete. A single entry is one file at `path` (written like exportModelFile). Returns what was written.
 */
export async function exportEntriesFolder(
  registry: Registry,
  path: string,
  model: ModelData,
  entries: readonly ExportEntry[] | ((root: ResolvedNode) => readonly ExportEntry[]),
  options: EntryOptions & AtomicWriteOptions = {},
): Promise<ExportedEntries> {
  const exported = exportEntries(registry, model, entries, options);
  const write = options.writeTemp ?? writeAndFlush;
  if (!exported.manifest) {
    await writeFileAtomic(path, (exported.entries[0] as ExportedEntries['entries'][number]).bytes, { writeTemp: write });
    return exported;
  }
  const suffix = randomBytes(6).toString('hex');
  const temp = join(dirname(path), `.${basename(path)}.${suffix}.tmp`);
  const old = join(dirname(path), `.${basename(path)}.${suffix}.old`);
  try {
    await mkdir(temp);
    for (const entry of exported.entries) await write(join(temp, entry.file), entry.bytes);
    const replacing = await exists(path);
    if (replacing) await rename(path, old);
    try {
      await rename(temp, path);
    } catch (cause) {
      if (replacing) await rename(old, path);
      throw cause;
    }
    await rm(old, { recursive: true, force: true });
  } catch (cause) {
    await rm(temp, { recursive: true, force: true });
    throw new SerializationError('could not write the model folder', { where: path, expected: 'a writable parent folder with free space', got: String((cause as Error)?.message ?? cause), fix: 'check the path, permissions and disk space; the previous folder, if any, is unchanged' }, { cause });
  }
  return exported;
}

/** Writes a model with the entries it declares (`modelExports`): one file for a one-entry model, a folder of entries otherwise (a seq2seq model's `encoder` and `decoder_step`). */
export async function exportModelFolder(registry: Registry, path: string, model: ModelData, options: Omit<EntryOptions, 'tasks'> & InterfaceOptions & AtomicWriteOptions = {}): Promise<ExportedEntries> {
  const declared = modelExports(sequenceRoot(registry, model), options);
  return exportEntriesFolder(registry, path, model, declared.entries, { ...options, tasks: declared.tasks });
}
