import type * as OrtCommon from 'onnxruntime-common';
import { isRuntimeError, RuntimeError } from './errors';
import type { GraphDtype } from './proto/model-info';

/**
 * The part of an onnxruntime module the runtime uses: `import * as ort from 'onnxruntime-node'` or
 * `'onnxruntime-web'` satisfies it, and so does `@unfold/engine` (the compact engine). Only types come
 * from onnxruntime-common, so this package never loads a flavour itself; the entry point picks one and
 * passes it in. It names exactly what the runtime calls: `InferenceSession.create(bytes, options)`, the
 * session's names, `run` and `release`, and `new Tensor(type, data, dims)`.
 */
export interface OrtFlavour {
  readonly InferenceSession: { create(model: Uint8Array, options?: SessionOptions): Promise<FlavourSession> };
  readonly Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => FlavourTensor;
}

/** A tensor as a flavour makes and returns it (onnxruntime's Tensor, the engine's Tensor). */
export interface FlavourTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

/** A flavour's session: what the runtime calls on onnxruntime's InferenceSession. */
export interface FlavourSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, FlavourTensor>): Promise<Record<string, FlavourTensor>>;
  release(): Promise<void>;
}

export type SessionOptions = OrtCommon.InferenceSession.SessionOptions;

export type HostData = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

/** A tensor in plain memory, fed to or read from a session. */
export interface HostTensor {
  readonly dtype: GraphDtype;
  readonly shape: readonly number[];
  readonly data: HostData;
}

/**
 * One onnxruntime session whose runs are serialised: a model answers one call at a time. onnxruntime-web's
 * wasm backend is single-threaded per session anyway, and serialising keeps every flavour's behaviour the
 * same; a failed run never blocks the calls queued after it. Of the runs waiting, the one with the fewest
 * input elements goes first (ties in arrival order): a small call never waits behind a queue of large ones,
 * only behind the one running, and a large one waits for a gap in small ones (a server bounds how long
 * with its time budget). Every rollout step is a run of its own, so small calls slip in between them.
 */
export interface ModelSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Readonly<Record<string, HostTensor>>): Promise<Record<string, HostTensor>>;
  release(): Promise<void>;
}

// Fatal only: a run a caller's values make fail is reported to the caller, not written to the server's log.
const DEFAULT_OPTIONS: SessionOptions = { logSeverityLevel: 4, graphOptimizationLevel: 'all' };

/**
 * A load failure as E_MODEL. An engine that throws the runtime's own typed errors (the compact engine's
 * refusals name the node, the operator and the fix) is passed on as it is; anything else (onnxruntime's
 * messages) is wrapped with its first line.
 */
function modelError(cause: unknown, where: string): RuntimeError {
  if (isRuntimeError(cause)) return cause;
  const reason = cause instanceof Error ? cause.message.split('\n')[0]?.slice(0, 300) : String(cause);
  return new RuntimeError('E_MODEL', 'the inference engine could not load the model', { where, got: reason ?? 'an error', fix: 'check that the file is a complete ONNX model with operators this engine supports' }, { cause });
}

export async function openSession(ort: OrtFlavour, bytes: Uint8Array, options: SessionOptions | undefined, where: string): Promise<ModelSession> {
  let session: FlavourSession;
  try {
    session = await ort.InferenceSession.create(bytes, { ...DEFAULT_OPTIONS, ...options });
  } catch (cause) {
    throw modelError(cause, where);
  }
  const waiting: { readonly size: number; readonly start: () => void }[] = [];
  let running = false;
  const startNext = () => {
    if (running || waiting.length === 0) return;
    let best = 0;
    for (let i = 1; i < waiting.length; i++) if ((waiting[i] as { size: number }).size < (waiting[best] as { size: number }).size) best = i;
    const [job] = waiting.splice(best, 1);
    running = true;
    job?.start();
  };
  const runNow = async (feeds: Readonly<Record<string, HostTensor>>): Promise<Record<string, HostTensor>> => {
    const tensors: Record<string, FlavourTensor> = {};
    for (const [name, value] of Object.entries(feeds)) {
      tensors[name] = new ort.Tensor(value.dtype as 'float32', value.data as Float32Array, [...value.shape]);
    }
    let results: Record<string, FlavourTensor>;
    try {
      results = await session.run(tensors);
    } catch (cause) {
      if (isRuntimeError(cause)) throw cause; // an engine's own typed error (a shape a node cannot take)
      throw new RuntimeError('E_INFERENCE', 'the inference engine failed to run the model', { where }, { cause });
    }
    const out: Record<string, HostTensor> = {};
    for (const [name, tensor] of Object.entries(results)) {
      out[name] = { dtype: tensor.type as GraphDtype, shape: tensor.dims.map(Number), data: tensor.data as HostData };
    }
    return out;
  };
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    run(feeds) {
      const size = Object.values(feeds).reduce((sum, tensor) => sum + tensor.data.length, 0);
      return new Promise((resolve, reject) => {
        waiting.push({
          size,
          start: () =>
            runNow(feeds)
              .then(resolve, reject)
              .finally(() => {
                running = false;
                startNext();
              }),
        });
        startNext();
      });
    },
    release: () => session.release(),
  };
}
