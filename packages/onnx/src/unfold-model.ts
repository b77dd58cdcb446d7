import { modelParameters, resolveModel, SerializationError, type HostTensor, type ModelSpec, type Registry, type WeightMap } from '@unfold/core';
import { readInitializers, readOnnxModel, readUnfoldMetadata, type UnfoldOnnxMetadata } from './read';

/**
 * A file unfold exported, back as an unfold model: the spec from its metadata (format v1 or v2) and the
 * weights from its initializers. Plugin mappings store a parameter as a copy under its path
 * (`body.W`, with a leading axis of 1 for ONNX's RNN ops), or as its 2-D transpose under `<path>_t` (a dense head's MatMul weight); those are read
 * back exactly. A parameter a mapping stores only in a derived form (the leaky cell's pre-scaled R) has no
 * copy in the file: that is a SerializationError listing each such parameter — keep the checkpoint.
 */
export interface UnfoldModelFromOnnx {
  readonly spec: ModelSpec;
  readonly weights: WeightMap;
  readonly unfold: UnfoldOnnxMetadata;
}

function transpose(tensor: HostTensor): HostTensor {
  const [rows = 0, cols = 0] = tensor.shape;
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[c * rows + r] = tensor.data[r * cols + c] as number;
  return { shape: [cols, rows], data };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The parameter's shape, allowing the leading axis of 1 ONNX's RNN ops add (num_directions). */
function copyShape(stored: readonly number[], shape: readonly number[]): boolean {
  return sameShape(stored, shape) || (stored[0] === 1 && sameShape(stored.slice(1), shape));
}

export function readUnfoldModel(registry: Registry, bytes: Uint8Array, where = 'onnx model'): UnfoldModelFromOnnx {
  const unfold = readUnfoldMetadata(readOnnxModel(bytes, where), where);
  const initializers = readInitializers(bytes, where);
  const weights: Record<string, HostTensor> = {};
  const missing: string[] = [];
  for (const { name, spec: { shape } } of modelParameters(resolveModel(registry, unfold.spec))) {
    const copy = initializers[name];
    const transposed = initializers[`${name}_t`];
    if (copy && !('dtype' in copy) && copyShape(copy.shape, shape)) weights[name] = { shape: [...shape], data: copy.data };
    else if (transposed && !('dtype' in transposed) && shape.length === 2 && sameShape(transposed.shape, [shape[1] as number, shape[0] as number])) weights[name] = transpose(transposed);
    else missing.push(`${name} [${shape.join(', ')}]`);
  }
  if (missing.length) {
    throw new SerializationError(`the file holds no copy of ${missing.length === 1 ? 'a weight' : `${missing.length} weights`}`, { where, expected: `each parameter as an initializer named by its path (or its transpose under <path>_t)`, got: `none for ${missing.join(', ')}`, fix: 'these plugins export derived weights only; use the model’s checkpoint (.unfold) instead of its export' });
  }
  return { spec: unfold.spec, weights, unfold };
}
