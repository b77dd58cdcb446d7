import { isRuntimeError, type GraphModel, type LoadedModel, type StreamResult, type UnfoldModel } from '../src/index';

/** Small helpers the runtime and edge tests share: narrowing loaded models, error codes, chunked streams. */
export function asUnfold(model: LoadedModel): UnfoldModel {
  if (model.format !== 'unfold') throw new Error(`expected an unfold model, got ${model.format}`);
  return model;
}

export function asGraph(model: LoadedModel): GraphModel {
  if (model.format !== 'onnx') throw new Error(`expected a plain ONNX model, got ${model.format}`);
  return model;
}

/** The RuntimeError a promise rejects with; fails the test if it resolves or rejects with anything else. */
export async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isRuntimeError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a rejection');
}

/** The code of the RuntimeError a promise rejects with, or "resolved". */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return isRuntimeError(error) ? error.code : String(error);
  }
  return 'resolved';
}

/** Streams a batch through `model` cut at the same offsets for every sequence (ended sequences get empty chunks). */
export async function streamInChunks<T>(model: UnfoldModel, sequences: readonly (readonly T[])[], sizes: readonly number[]): Promise<{ outputs: number[][][]; state: StreamResult['state'] | undefined }> {
  let state: StreamResult['state'] | undefined;
  let offset = 0;
  const outputs: number[][][] = sequences.map(() => []);
  for (const size of sizes) {
    const part = sequences.map((s) => s.slice(offset, offset + size));
    offset += size;
    const result = await model.stream({ inputs: part as never, state });
    result.outputs.forEach((rows, b) => outputs[b]?.push(...rows));
    state = result.state;
  }
  return { outputs, state };
}

/** A fixture tensor `{ shape, data }` (flat, row-major) as nested arrays. */
export function nest(tensor: { readonly shape: readonly number[]; readonly data: readonly number[] }): unknown {
  const build = (depth: number, offset: number): unknown => {
    if (depth === tensor.shape.length) return tensor.data[offset];
    const stride = tensor.shape.slice(depth + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: tensor.shape[depth] as number }, (_, i) => build(depth + 1, offset + i * stride));
  };
  return build(0, 0);
}
