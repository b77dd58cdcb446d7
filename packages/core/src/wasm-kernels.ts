import type * as Tf from '@tensorflow/tfjs-core';

/**
 * Kernels the tfjs wasm backend lacks but training needs, written in plain JS over the backend's memory.
 *
 * - `UnsortedSegmentSum`: the gradient of `gather` (embeddings, per-sequence reversal, last-step readout).
 *   out[segmentIds[i], ...] += x[i, ...] over the leading axes of x that segmentIds covers; ids outside
 *   [0, numSegments) are dropped, as on the cpu backend.
 *
 * Registered by `setupBackend` when it activates wasm; registering is idempotent.
 */
interface WasmBackendLike {
  readSync(dataId: unknown): ArrayLike<number>;
  makeOutput(shape: number[], dtype: Tf.DataType, memoryOffset?: number, values?: ArrayLike<number>): Tf.TensorInfo;
}

function unsortedSegmentSum(args: { inputs: Tf.NamedTensorInfoMap; backend: unknown; attrs?: Tf.NamedAttrMap }): Tf.TensorInfo {
  const { x, segmentIds } = args.inputs as { x: Tf.TensorInfo; segmentIds: Tf.TensorInfo };
  const numSegments = (args.attrs as { numSegments: number }).numSegments;
  const backend = args.backend as WasmBackendLike;
  const values = backend.readSync(x.dataId);
  const ids = backend.readSync(segmentIds.dataId);
  const inner = x.shape.slice(segmentIds.shape.length).reduce((a, b) => a * b, 1);
  const out = new Float32Array(numSegments * inner);
  for (let i = 0; i < ids.length; i++) {
    const segment = ids[i] as number;
    if (segment < 0 || segment >= numSegments) continue;
    const from = i * inner;
    const to = segment * inner;
    for (let j = 0; j < inner; j++) out[to + j] = (out[to + j] as number) + (values[from + j] as number);
  }
  return backend.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], 'float32', undefined, out);
}

export function registerWasmFallbackKernels(tf: typeof Tf): void {
  if (!tf.getKernel('UnsortedSegmentSum', 'wasm')) {
    tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: unsortedSegmentSum as unknown as Tf.KernelFunc });
  }
}
