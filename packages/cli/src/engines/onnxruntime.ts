import { basename } from 'node:path';
import { FULL_LENGTH, INPUT_NAME, METADATA_KEYS, readOnnxModel, SEQUENCE_LENS_NAME, stateInputName } from '@unfold/onnx';
import type { EngineName } from '@unfold/edge/node';
import type { GraphModel, RuntimeLimits } from '@unfold/runtime';
import { parseJsonTensor, type JsonDtype, type JsonTensor } from '../tensor-json';
import { engineRuntime } from './engine-runtime';

/** A one-off command-line run is not a server: no caps beyond what memory allows. */
export const COMMAND_LINE_LIMITS: RuntimeLimits = { maxBatch: 1 << 20, maxTime: 1 << 24, maxElements: 2 ** 31 - 1, maxRolloutSteps: 1 << 20, maxNodes: 1 << 24, maxDepth: 4096, maxSteps: 2 ** 31 - 1, maxOutputElements: 2 ** 31 - 1 };

/**
 * For a file unfold exported, the inputs a caller may leave out, as unfold's forward pass treats them:
 * `sequence_lens` all FULL_LENGTH (every sequence full length) and each `state_in.*` zeros, one row per
 * sequence of the given input.
 */
function unfoldDefaults(summary: ReturnType<typeof readOnnxModel>, inputs: Record<string, unknown>): Record<string, unknown> {
  if (summary.metadata[METADATA_KEYS.format] === undefined || !(INPUT_NAME in inputs)) return {};
  const batch = parseJsonTensor(INPUT_NAME, inputs[INPUT_NAME]).shape[0] ?? 1;
  const defaults: Record<string, unknown> = {};
  for (const input of summary.inputs) {
    if (input.name === SEQUENCE_LENS_NAME) defaults[input.name] = { dtype: 'int32', shape: [batch], data: new Array(batch).fill(FULL_LENGTH) };
    else if (input.name.startsWith(stateInputName(''))) {
      const dims = (input.shape ?? []).slice(1).map(Number); // [batch_or_1, ...shape]
      defaults[input.name] = { shape: [batch, ...dims], data: new Array(dims.reduce((a, b) => a * b, batch)).fill(0) };
    }
  }
  return defaults;
}

/** Row-major flat data to nested arrays of the given shape. */
function nest(data: ArrayLike<number | bigint>, shape: readonly number[], offset = 0): unknown {
  if (shape.length === 0) return Number(data[offset] as number | bigint);
  const [size = 0, ...rest] = shape;
  const stride = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: size }, (_, i) => nest(data, rest, offset + i * stride));
}

/**
 * Runs an ONNX file once through @unfold/runtime on `engine` (default onnxruntime-node) as a plain graph:
 * named tensors in and out, after filling the inputs an unfold export may leave out and typing each input
 * as the file does.
 */
export async function runOnnxFile(bytes: Uint8Array, inputs: Record<string, unknown>, path: string, engine: EngineName = 'ort-node'): Promise<Record<string, JsonTensor>> {
  const summary = readOnnxModel(bytes, path);
  const defaults = unfoldDefaults(summary, inputs);
  const nested: Record<string, unknown> = {};
  for (const [name, value] of Object.entries({ ...defaults, ...inputs })) {
    const declared = summary.inputs.find((i) => i.name === name)?.dtype;
    const dtype = (['float32', 'int32', 'int64'].includes(declared ?? '') ? declared : 'float32') as JsonDtype;
    const tensor = parseJsonTensor(name, value, dtype);
    nested[name] = nest(tensor.data, tensor.shape);
  }
  const runtime = await engineRuntime(engine);
  const model = (await runtime.load(bytes, { name: basename(path), format: 'onnx' })) as GraphModel;
  try {
    const { outputs } = await model.predict({ inputs: nested }, { limits: COMMAND_LINE_LIMITS });
    // The runtime returns outputs as nested arrays.
    return Object.fromEntries(Object.entries(outputs).map(([name, value]) => [name, parseJsonTensor(name, value, 'float32')]));
  } finally {
    await model.release();
  }
}
