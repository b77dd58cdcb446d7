import type { ModelData, Registry } from '@unfold/core';
import { importOnnx, METADATA_KEYS, readOnnxModel, readUnfoldModel } from '@unfold/onnx';

/**
 * An ONNX file as an unfold model: a file unfold exported (format v1 or v2) carries its spec in metadata
 * and its weights as initializers named by parameter path (read back exactly by readUnfoldModel); any
 * other file goes through the importer (`imported`: its inputs keep the file's names, translated by
 * engines/imported.ts).
 */
export function onnxToModel(registry: Registry, bytes: Uint8Array, path: string): { model: ModelData; imported: boolean } {
  const summary = readOnnxModel(bytes, path);
  if (summary.metadata[METADATA_KEYS.format] === undefined) {
    const imported = importOnnx(bytes, { where: path, registry });
    return { model: { spec: imported.spec, weights: imported.weights }, imported: true };
  }
  const { spec, weights } = readUnfoldModel(registry, bytes, path);
  return { model: { spec, weights }, imported: false };
}
