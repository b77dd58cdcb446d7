import { describeValue, isRuntimeError, RuntimeError } from './errors';
import { resolveLimits, type RuntimeLimits } from './limits';
import type { GraphModel, GraphPredictRequest, ModelDescription } from './model';
import { flattenNested, toNested } from './nested';
import type { GraphDtype, GraphValue, ModelInfo } from './proto/model-info';
import { readRequest } from './requests';
import type { HostData, HostTensor, ModelSession } from './session';
import { readFloat, readInteger } from './values';

/**
 * Any ONNX graph without unfold metadata (a PyTorch or Keras export): inputs are described by the graph
 * itself, so `predict` takes every graph input by name as nested arrays, checks dtype, rank, fixed dims
 * and the consistency of symbolic dims (`batch` is one size across inputs), and returns every output.
 * The runtime cannot know what the values mean (which axis is time, what a `lengths` input may hold), so
 * onnxruntime rejecting values at run time is reported as the caller's E_GRAPH_RUN, not an internal fault.
 */
interface Codec {
  readonly make: (length: number) => HostData;
  readonly read: (leaf: unknown, at: string) => number | bigint;
}

const int = (min: number, max: number): Codec['read'] => (leaf, at) => readInteger(leaf, at, min, max);
const bigint = (min: number): Codec['read'] => (leaf, at) => BigInt(readInteger(leaf, at, min, Number.MAX_SAFE_INTEGER));

const CODECS: Partial<Record<GraphDtype, Codec>> = {
  float32: { make: (n) => new Float32Array(n), read: (leaf, at) => readFloat(leaf, at) },
  float64: { make: (n) => new Float64Array(n), read: (leaf, at) => readFloat(leaf, at) },
  int8: { make: (n) => new Int8Array(n), read: int(-128, 127) },
  uint8: { make: (n) => new Uint8Array(n), read: int(0, 255) },
  int16: { make: (n) => new Int16Array(n), read: int(-32768, 32767) },
  uint16: { make: (n) => new Uint16Array(n), read: int(0, 65535) },
  int32: { make: (n) => new Int32Array(n), read: int(-2147483648, 2147483647) },
  uint32: { make: (n) => new Uint32Array(n), read: int(0, 4294967295) },
  int64: { make: (n) => new BigInt64Array(n), read: bigint(-Number.MAX_SAFE_INTEGER) },
  uint64: { make: (n) => new BigUint64Array(n), read: bigint(0) },
  bool: {
    make: (n) => new Uint8Array(n),
    read: (leaf, at) => {
      if (typeof leaf === 'boolean') return leaf ? 1 : 0;
      return readInteger(leaf, at, 0, 1);
    },
  },
};

function feed(input: GraphValue, value: unknown, limits: RuntimeLimits, symbols: Map<string, { size: number; where: string }>): HostTensor {
  const where = `inputs.${input.name}`;
  const codec = CODECS[input.dtype as GraphDtype];
  if (!codec) {
    throw new RuntimeError('E_UNSUPPORTED', 'the runtime cannot feed this input type from JSON', { where, expected: `one of ${Object.keys(CODECS).join(', ')}`, got: input.dtype });
  }
  const { dims, values } = flattenNested(value, input.shape, where, limits, symbols, codec.read);
  const data = codec.make(values.length);
  (data as unknown as { set(v: ArrayLike<unknown>): void }).set(values);
  return { dtype: input.dtype as GraphDtype, shape: dims, data };
}

/** Output values as JSON-friendly nested arrays: 64-bit integers become numbers, bools booleans. */
function outputValue(tensor: HostTensor): unknown {
  const data: ArrayLike<unknown> =
    tensor.data instanceof BigInt64Array || tensor.data instanceof BigUint64Array
      ? Array.from(tensor.data, Number)
      : tensor.dtype === 'bool'
        ? Array.from(tensor.data as Uint8Array, Boolean)
        : (tensor.data as ArrayLike<number>);
  return toNested(data, tensor.shape);
}

export function describeGraph(name: string, model: ModelInfo): ModelDescription {
  return { name, format: 'onnx', operations: ['predict'], producer: [model.producer.name, model.producer.version].filter(Boolean).join(' ') || 'unknown', inputs: model.inputs, outputs: model.outputs, metadata: model.metadata };
}

export function createGraphModel(name: string, session: ModelSession, model: ModelInfo): GraphModel {
  const description = Object.freeze(describeGraph(name, model));
  // onnxruntime's own list is the truth for what must be fed (it agrees with the file for valid models).
  const inputs = session.inputNames.map((n) => model.inputs.find((v) => v.name === n) ?? { name: n, dtype: 'non-tensor' as const, shape: undefined, doc: '' });
  const served: GraphModel = {
    format: 'onnx',
    name,
    describe: () => description,
    release: () => session.release(),
    async run(operation, request, options) {
      if (operation === 'predict') return served.predict(request as GraphPredictRequest, options);
      throw new RuntimeError('E_UNSUPPORTED', `${operation} needs a model exported by unfold`, { where: name, expected: 'an unfold export (its metadata names the sequence input and the states)', got: 'a plain ONNX graph', fix: 'use predict with named inputs' });
    },
    async predict(request, options = {}) {
      const limits = resolveLimits(options.limits);
      const fields = readRequest(request, ['inputs'], 'request');
      const given = fields.inputs;
      if (typeof given !== 'object' || given === null || Array.isArray(given)) {
        throw new RuntimeError('E_REQUEST', 'inputs must be an object of named tensors', { where: 'inputs', expected: `{ ${inputs.map((i) => `"${i.name}": nested arrays`).join(', ')} }`, got: describeValue(given) });
      }
      const named = given as Record<string, unknown>;
      const unknown = Object.keys(named).find((k) => !inputs.some((i) => i.name === k));
      if (unknown !== undefined) throw new RuntimeError('E_REQUEST', 'unknown input', { where: `inputs.${unknown}`, expected: `one of ${inputs.map((i) => JSON.stringify(i.name)).join(', ')}`, got: JSON.stringify(unknown) });
      const missing = inputs.find((i) => !(i.name in named));
      if (missing) throw new RuntimeError('E_REQUEST', 'missing input', { where: `inputs.${missing.name}`, expected: `${missing.dtype} of shape [${missing.shape?.map((d) => d ?? '?').join(', ') ?? 'any'}] (onnxruntime needs every graph input)`, got: 'nothing' });
      const symbols = new Map<string, { size: number; where: string }>();
      const feeds = Object.fromEntries(inputs.map((input) => [input.name, feed(input, named[input.name], limits, symbols)]));
      let results: Record<string, HostTensor>;
      try {
        results = await session.run(feeds);
      } catch (error) {
        if (!isRuntimeError(error, 'E_INFERENCE')) throw error;
        const reason = error.cause instanceof Error ? (error.cause.message.split('\n')[0] ?? '').slice(0, 300) : 'an error';
        throw new RuntimeError('E_GRAPH_RUN', 'onnxruntime rejected the inputs', { where: name, expected: 'values the graph accepts (lengths, indices and sizes in range)', got: reason }, { cause: error.cause });
      }
      return { outputs: Object.fromEntries(Object.entries(results).map(([key, tensor]) => [key, outputValue(tensor)])) };
    },
  };
  return served;
}
