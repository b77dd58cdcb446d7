import { modelParameters, resolveModel, SerializationError, type HostTensor, type ModelData, type Registry } from '@unfold/core';
import { importOnnx, METADATA_KEYS, readInitializers, readOnnxModel, readUnfoldMetadata } from '@unfold/onnx';

/**
 * An ONNX file as an unfold model: a file unfold exported carries its spec in metadata and its weights as
 * initializers named by parameter path (an exact copy back); any other file goes through the importer
 * (`imported`: its inputs keep the file's names, translated by engines/imported.ts).
 */
export function onnxToModel(registry: Registry, bytes: Uint8Array, path: string): { model: ModelData; imported: boolean } {
  const summary = readOnnxModel(bytes, path);
  if (summary.metadata[METADATA_KEYS.format] === undefined) {
    const imported = importOnnx(bytes, { where: path, registry });
    return { model: { spec: imported.spec, weights: imported.weights }, imported: true };
  }
  const { spec } = readUnfoldMetadata(summary, path);
  const initializers = readInitializers(bytes, path);
  const weights: Record<string, HostTensor> = {};
  for (const { name } of modelParameters(resolveModel(registry, spec))) {
    const tensor = initializers[name];
    if (!tensor || 'dtype' in tensor) throw new SerializationError(`the file has no float weight ${JSON.stringify(name)}`, { where: path, expected: `an initializer named ${name}`, got: 'none', fix: 'the file was changed after export; export it again' });
    weights[name] = tensor;
  }
  return { model: { spec, weights }, imported: false };
}
