import type * as Ort from 'onnxruntime-node';
import * as engine from '@unfold/engine';

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

/** The most two runs' outputs may differ by (absolute), element by element. */
export const ENGINE_TOLERANCE = 1e-5;

interface Comparable {
  readonly dims: readonly number[];
  readonly data: ArrayLike<number | bigint>;
}

/**
 * Throws when the compact engine's output differs from onnxruntime's in shape or by more than
 * ENGINE_TOLERANCE anywhere (NaN must meet NaN), naming the output, the difference and both shapes.
 */
export function compareOutputs(name: string, reference: Comparable, candidate: Comparable | undefined): void {
  const shapes = `onnxruntime [${reference.dims.join(', ')}], engine ${candidate ? `[${candidate.dims.join(', ')}]` : 'no output'}`;
  if (!candidate || candidate.dims.length !== reference.dims.length || candidate.dims.some((d, i) => Number(d) !== Number(reference.dims[i]))) {
    throw new Error(`compact engine: output ${name} differs in shape: ${shapes}`);
  }
  let worst = 0;
  let at = -1;
  for (let i = 0; i < reference.data.length; i++) {
    const a = Number(reference.data[i]);
    const b = Number(candidate.data[i]);
    const difference = Number.isNaN(a) && Number.isNaN(b) ? 0 : Math.abs(a - b);
    if (!(difference <= worst)) [worst, at] = [Number.isNaN(difference) ? Infinity : difference, i];
  }
  if (worst > ENGINE_TOLERANCE) throw new Error(`compact engine: output ${name} differs by ${worst} at element ${at} (onnxruntime ${Number(reference.data[at])}, engine ${Number(candidate.data[at])}); shapes ${shapes}`);
}

/** Runs the same feeds in the compact engine and checks every output against onnxruntime's. */
export async function checkEngineRun(session: engine.InferenceSession, feeds: Readonly<Record<string, { readonly type: string; readonly data: unknown; readonly dims: readonly (number | bigint)[] }>>, reference: Readonly<Record<string, Comparable>> | Error): Promise<void> {
  const tensors: Record<string, engine.Tensor> = {};
  for (const [name, value] of Object.entries(feeds)) tensors[name] = new engine.Tensor(value.type as 'float32', value.data as Float32Array, value.dims.map(Number));
  let results: Record<string, engine.Tensor>;
  try {
    results = await session.run(tensors);
  } catch (error) {
    if (reference instanceof Error) return; // both refuse these feeds
    throw new Error(`compact engine: the run failed where onnxruntime's succeeded: ${(error as Error).message}`, { cause: error });
  }
  if (reference instanceof Error) throw new Error(`compact engine: the run succeeded where onnxruntime's failed (${reference.message.split('\n')[0]})`);
  for (const [name, value] of Object.entries(reference)) compareOutputs(name, value, results[name]);
}

type OrtRun = (feeds: Record<string, Ort.Tensor>) => Promise<Ort.InferenceSession.ReturnType>;

/**
 * `session` (an onnxruntime-node session of `bytes`) with every run also run on the compact engine
 * (@unfold/engine), failing when any output differs in shape or by more than ENGINE_TOLERANCE, or when
 * one engine refuses feeds the other takes. Returns onnxruntime's results; `release` releases both.
 */
export async function withEngine<S extends { run: OrtRun; release(): Promise<void> }>(session: S, bytes: Uint8Array): Promise<S> {
  const compact = await engine.InferenceSession.create(bytes);
  const run: OrtRun = async (feeds) => {
    let results: Ort.InferenceSession.ReturnType;
    try {
      results = await session.run(feeds);
    } catch (error) {
      await checkEngineRun(compact, feeds, error as Error);
      throw error;
    }
    await checkEngineRun(compact, feeds, results as Readonly<Record<string, Comparable>>);
    return results;
  };
  const release = async () => {
    await compact.release();
    await session.release();
  };
  return new Proxy(session, {
    get: (target, key) => (key === 'run' ? run : key === 'release' ? release : (Reflect.get(target, key) as unknown)),
  });
}

/** onnxruntime-node's InferenceSession.create (warnings off), checked against the compact engine (withEngine). */
export async function createChecked(bytes: Uint8Array): Promise<Ort.InferenceSession> {
  const ort = await loadOrt();
  return withEngine(await ort.InferenceSession.create(bytes, { logSeverityLevel: 3, graphOptimizationLevel: 'all' }), bytes);
}

/**
 * Opens an exported model in onnxruntime-node's CPU provider, warnings off, and the same bytes in the
 * compact engine (withEngine): every export test that runs a model through it also proves the engine.
 */
export async function openSession(bytes: Uint8Array): Promise<OrtSession> {
  const ort = await loadOrt();
  const session = await createChecked(bytes);
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
