import { parseJsonLimited } from '@unfold/core';
import { UsageError } from './usage-error';

/**
 * Tensors in inputs.json / outputs.json: either a nested array (row-major; its nesting is the shape) or
 * `{ "dtype": "float32" | "int32" | "int64", "shape": [...], "data": [...] }` with flat row-major data
 * (dtype optional: float32, or the model input's type when the model says).
 */
export type JsonDtype = 'float32' | 'int32' | 'int64';

export interface JsonTensor {
  readonly dtype: JsonDtype;
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array | BigInt64Array;
}

const DTYPES: readonly JsonDtype[] = ['float32', 'int32', 'int64'];

function fail(name: string, problem: string): never {
  throw new UsageError(`inputs.json: ${name}: ${problem}`, 'give each input as a nested array or { "dtype", "shape", "data" } with flat row-major data');
}

function flatten(name: string, value: unknown, shape: number[], depth: number, out: number[]): void {
  if (Array.isArray(value)) {
    if (shape.length === depth) shape.push(value.length);
    else if (shape[depth] !== value.length) fail(name, `ragged nested array: expected ${shape[depth]} entries at depth ${depth}, got ${value.length}`);
    for (const item of value) flatten(name, item, shape, depth + 1, out);
    return;
  }
  if (depth !== shape.length) fail(name, `ragged nested array: a number at depth ${depth}, lists elsewhere`);
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(name, `non-finite or non-numeric value ${JSON.stringify(value)}`);
  out.push(value);
}

function typed(name: string, dtype: JsonDtype, values: readonly number[]): JsonTensor['data'] {
  if (dtype === 'float32') return Float32Array.from(values);
  const bad = values.find((v) => !Number.isInteger(v));
  if (bad !== undefined) fail(name, `${dtype} input holds the non-integer ${bad}`);
  return dtype === 'int32' ? Int32Array.from(values) : BigInt64Array.from(values, (v) => BigInt(v));
}

/** Parses one tensor; `expected` is the model's dtype for it, used when the JSON does not say. */
export function parseJsonTensor(name: string, value: unknown, expected: JsonDtype = 'float32'): JsonTensor {
  if (Array.isArray(value)) {
    const shape: number[] = [];
    const flat: number[] = [];
    flatten(name, value, shape, 0, flat);
    return { dtype: expected, shape, data: typed(name, expected, flat) };
  }
  if (typeof value !== 'object' || value === null) fail(name, 'expected a nested array or an object with shape and data');
  const { dtype = expected, shape, data } = value as { dtype?: unknown; shape?: unknown; data?: unknown };
  if (!DTYPES.includes(dtype as JsonDtype)) fail(name, `unknown dtype ${JSON.stringify(dtype)} (use float32, int32 or int64)`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(name, 'shape must be a list of non-negative integers');
  if (!Array.isArray(data)) fail(name, 'data must be a flat list of numbers');
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  if (data.length !== size) fail(name, `data has ${data.length} values; shape [${shape.join(', ')}] needs ${size}`);
  const flat: number[] = [];
  flatten(name, data, [data.length], 1, flat);
  return { dtype: dtype as JsonDtype, shape: shape as number[], data: typed(name, dtype as JsonDtype, flat) };
}

/** A tensor as outputs.json writes it. */
export function toJsonTensor(tensor: JsonTensor): { dtype: JsonDtype; shape: number[]; data: number[] } {
  return { dtype: tensor.dtype, shape: [...tensor.shape], data: Array.from(tensor.data as ArrayLike<number | bigint>, Number) };
}

/** An inputs file nests at most this deep: an object of tensors, each of rank at most 30 or so. */
const INPUTS_MAX_DEPTH = 32;

export function parseInputsFile(text: string, path: string): Record<string, unknown> {
  const result = parseJsonLimited(text, INPUTS_MAX_DEPTH);
  if (!result.ok && result.reason === 'depth') throw new UsageError(`${path} nests more than ${INPUTS_MAX_DEPTH} levels deep`, 'give each input as a nested array of its tensor’s rank, or as { "dtype", "shape", "data" }');
  if (!result.ok) throw new UsageError(`${path} is not valid JSON: ${result.message}`, 'write inputs.json as one JSON object mapping input names to tensors');
  const parsed = result.value;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`${path} must be a JSON object mapping input names to tensors`, 'e.g. { "input": [[[0.1], [0.2]]] }');
  return parsed as Record<string, unknown>;
}
