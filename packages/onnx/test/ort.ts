import type * as Ort from 'onnxruntime-node';

/** A tensor fed to or read from onnxruntime, in plain memory. */
export interface HostValue {
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array;
}

export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Readonly<Record<string, HostValue>>): Promise<Record<string, HostValue>>;
  release(): Promise<void>;
}

let loading: Promise<typeof Ort> | undefined;

/** Loads onnxruntime-node once, with its telemetry off (set before the native library starts). */
function loadOrt(): Promise<typeof Ort> {
  process.env.ORT_DISABLE_TELEMETRY ??= '1';
  loading ??= import('onnxruntime-node').then((module) => ((module as { default?: typeof Ort }).default ?? module) as typeof Ort);
  return loading;
}

/** Opens an exported model in onnxruntime-node's CPU provider, warnings off. */
export async function openSession(bytes: Uint8Array): Promise<OrtSession> {
  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3, graphOptimizationLevel: 'all' });
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds) {
      const tensors: Record<string, Ort.Tensor> = {};
      for (const [name, value] of Object.entries(feeds)) tensors[name] = new ort.Tensor(value.data instanceof Int32Array ? 'int32' : 'float32', value.data, [...value.shape]);
      const results = await session.run(tensors);
      const out: Record<string, HostValue> = {};
      for (const [name, tensor] of Object.entries(results)) out[name] = { shape: tensor.dims.map(Number), data: tensor.data as Float32Array };
      return out;
    },
    release: () => session.release(),
  };
}
