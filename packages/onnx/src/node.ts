import type { ModelData, Registry } from '@unfold/core';
import { writeFileAtomic, type AtomicWriteOptions } from '@unfold/core/node';
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
