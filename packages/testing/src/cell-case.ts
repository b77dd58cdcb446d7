import * as tf from '@tensorflow/tfjs-core';
import {
  createRegistry,
  hostTensor,
  initWeights,
  resolveModel,
  Rng,
  shapeSize,
  stateSpec,
  type CellPlugin,
  type HostTensor,
  type ModelSpec,
  type Registry,
  type StateSpec,
  type WeightMap,
} from '@unfold/core';

/**
 * A cell test case: one plugin and config with everything a conformance check needs, all in host
 * memory (no tensors are held, so a case can be built at test-registration time and shared freely).
 *
 * Names used for the tensors a forward pass depends on (a "point"): parameters by their local name
 * (`W`, `R`, `B`), the input as `x` [T, B, I], and each initial state as `state.<name>` [B, size].
 */
export interface CellDims {
  readonly T: number;
  readonly B: number;
  readonly I: number;
  readonly O: number;
}

/** A float64 plain-JS implementation of a cell over a whole time-major sequence, without a mask. */
export type CellReference<C = any> = (
  params: Readonly<Record<string, Float64Array>>,
  x: Float64Array,
  state0: readonly Float64Array[],
  config: C,
  dims: { readonly T: number; readonly B: number },
) => { outputs: Float64Array; state: Float64Array[] };

export interface CellCase<C = any> {
  readonly plugin: CellPlugin<string, C>;
  /** A registry holding only this plugin, and the one-node spec of the case. */
  readonly registry: Registry;
  readonly spec: ModelSpec;
  /** The validated config (defaults filled in). */
  readonly config: C;
  readonly seed: number;
  /** `initWeights(spec, seed)`: what a user gets. */
  readonly initialWeights: WeightMap;
  /** The weights the checks run with: the initial ones plus seeded noise, so zero-initialised biases count. */
  readonly weights: WeightMap;
  /** Local names of the trainable parameters, in declaration order. */
  readonly trainable: readonly string[];
  readonly states: readonly StateSpec[];
  readonly dims: CellDims;
  /** [T, B, I], uniform in [−1, 1). */
  readonly x: HostTensor;
  /** Each [B, size], uniform in [−0.5, 0.5): a non-zero start, so state gradients are exercised. */
  readonly state0: readonly HostTensor[];
  /** [T, B] right-padded: 1 for t < lengths[b], else 0. */
  readonly mask: HostTensor;
  readonly lengths: readonly number[];
  /** Fixed random weights G of the loss Σ outputs ⊙ G_out + Σ_k state_k ⊙ G_k. */
  readonly lossWeights: { readonly outputs: Float32Array; readonly state: readonly Float32Array[] };
}

export interface CellCaseOptions {
  /** Default 7. */
  readonly seed?: number;
  /** Time steps, default 5. */
  readonly T?: number;
  /** Batch size, default 3. */
  readonly B?: number;
  /** Real length of each sequence for masked checks; default `defaultLengths(T, B)`. */
  readonly lengths?: readonly number[];
  /** Half-width of the uniform noise added to every initial weight. Default 0.1; 0 keeps initWeights as is. */
  readonly weightNoise?: number;
}

/** T for the first sequence, none for the last, evenly spaced between: [5, 3, 0] for T 5, B 3. */
export function defaultLengths(T: number, B: number): number[] {
  return Array.from({ length: B }, (_, b) => (B === 1 ? T : Math.round((T * (B - 1 - b)) / (B - 1))));
}

/** The [T, B] mask of right-padded sequences: 1 where t < lengths[b]. */
export function paddingMask(lengths: readonly number[], T: number): HostTensor {
  const B = lengths.length;
  const data = new Float32Array(T * B);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) data[t * B + b] = t < (lengths[b] as number) ? 1 : 0;
  return hostTensor([T, B], data, 'paddingMask');
}

function randomTensor(shape: readonly number[], rng: Rng, halfWidth: number): HostTensor {
  const data = new Float32Array(shapeSize(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.uniformIn(-halfWidth, halfWidth);
  return hostTensor(shape, data);
}

/** Builds a case: validates the config through a registry, initialises weights and draws seeded inputs. */
export function makeCellCase<C>(plugin: CellPlugin<string, C>, rawConfig: Readonly<Record<string, unknown>>, options: CellCaseOptions = {}): CellCase<C> {
  const seed = options.seed ?? 7;
  const T = options.T ?? 5;
  const B = options.B ?? 3;
  const lengths = options.lengths ?? defaultLengths(T, B);
  if (lengths.length !== B || !lengths.every((n) => Number.isSafeInteger(n) && n >= 0 && n <= T)) {
    throw new Error(`makeCellCase: lengths must hold ${B} integers in [0, ${T}], got [${lengths.join(', ')}]`);
  }
  const registry = createRegistry([plugin]);
  const spec = { kind: plugin.kind, config: rawConfig } as ModelSpec;
  const node = resolveModel(registry, spec);
  const config = node.config as C;
  const initialWeights = initWeights(node, seed);
  const params = plugin.parameters(config);
  for (const param of params) {
    if (param.name === 'x' || param.name.startsWith('state.')) throw new Error(`makeCellCase: parameter name ${JSON.stringify(param.name)} collides with the input names x and state.*`);
  }
  const rng = new Rng(seed).fork('cell-case');
  const noise = options.weightNoise ?? 0.1;
  const weights: Record<string, HostTensor> = {};
  for (const [name, tensor] of Object.entries(initialWeights)) {
    const noisy = randomTensor(tensor.shape, rng.fork(`noise.${name}`), noise);
    weights[name] = hostTensor(tensor.shape, noisy.data.map((value, i) => (tensor.data[i] as number) + value));
  }
  const states = plugin.state(config).map((state) => stateSpec(state, `${plugin.kind}.state()`));
  const dims = { T, B, I: plugin.inputSize(config), O: plugin.outputSize(config) };
  return {
    plugin,
    registry,
    spec,
    config,
    seed,
    initialWeights,
    weights,
    trainable: params.filter((param) => param.trainable !== false).map((param) => param.name),
    states,
    dims,
    x: randomTensor([T, B, dims.I], rng.fork('x'), 1),
    state0: states.map((state) => randomTensor([B, ...state.shape], rng.fork(`state.${state.name}`), 0.5)),
    mask: paddingMask(lengths, T),
    lengths,
    lossWeights: {
      outputs: randomTensor([T, B, dims.O], rng.fork('loss.outputs'), 1).data,
      state: states.map((state) => randomTensor([B, ...state.shape], rng.fork(`loss.state.${state.name}`), 1).data),
    },
  };
}

/** Everything the forward pass depends on, by name: parameters, `x` and `state.<name>`. */
export function casePoint(c: CellCase): Record<string, HostTensor> {
  const point: Record<string, HostTensor> = { ...c.weights, x: c.x };
  c.states.forEach((state, k) => (point[`state.${state.name}`] = c.state0[k] as HostTensor));
  return point;
}

/** The names gradients are taken for: trainable parameters, every initial state, and x. */
export function differentiableNames(c: CellCase): string[] {
  return [...c.trainable, ...c.states.map((state) => `state.${state.name}`), 'x'];
}

/** One tfjs tensor per host tensor, same names. The caller disposes them (`tf.dispose(record)`). */
export function weightsToTensors(weights: Readonly<Record<string, HostTensor>>): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [name, tensor] of Object.entries(weights)) out[name] = tf.tensor(tensor.data, [...tensor.shape], 'float32');
  return out;
}

/** The first `steps` time steps of a time-major host tensor [T, ...]. */
export function sliceTime(tensor: HostTensor, steps: number): HostTensor {
  const [T = 0, ...rest] = tensor.shape;
  if (steps > T) throw new Error(`sliceTime: asked for ${steps} steps of a tensor with ${T}`);
  return hostTensor([steps, ...rest], tensor.data.slice(0, steps * shapeSize(rest)));
}
