import { DataError, type HostTensor } from '@unfold/core';
import type { AxisPart, ImportedInterface } from './io-mapping';

/**
 * Moving tensors between the file's names and layouts and the imported model's interface, as
 * `metadata.onnx` (io-mapping.ts) describes: the same inputs.json runs the .onnx file and the imported
 * checkpoint, and the imported model's results come back under the file's output names and shapes.
 */
export interface FeedTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array | BigInt64Array | readonly number[];
}

/**
 * What unfold's forward pass takes: x [B, T, I] (or token ids [B, T], as float32 values: cast to int32),
 * lengths [B], initial states in the model's order ([B, size] each), and for an encoder–decoder the
 * decoder inputs `target` (token ids [B, T], as float32 values; unfold's `target` port).
 */
export interface UnfoldFeeds {
  readonly x: HostTensor;
  readonly target?: HostTensor;
  readonly lengths?: Int32Array;
  readonly initialState?: readonly HostTensor[];
}

/** What unfold's forward pass returns: output [B, T, O] and the final states in the model's order. */
export interface UnfoldResults {
  readonly output: HostTensor;
  readonly finalState: readonly HostTensor[];
}

type Sizes = Record<AxisPart, number>;

/** Row-major strides of every part of a tensor laid out as `axes` with part sizes `sizes` (absent parts: 0). */
function stridesOf(axes: readonly (readonly AxisPart[])[], sizes: Sizes): Sizes {
  const strides: Sizes = { time: 0, batch: 0, entry: 0, feature: 0 };
  let stride = 1;
  for (let a = axes.length - 1; a >= 0; a--) {
    const group = axes[a] as readonly AxisPart[];
    for (let p = group.length - 1; p >= 0; p--) {
      const part = group[p] as AxisPart;
      strides[part] = stride;
      stride *= sizes[part];
    }
  }
  return strides;
}

function shapeFor(axes: readonly (readonly AxisPart[])[], sizes: Sizes): number[] {
  return axes.map((group) => group.reduce((n, part) => n * sizes[part], 1));
}

/** Sizes of each part from a fed tensor's shape; `entries` splits an axis that merges entry and feature. */
function sizesFrom(name: string, axes: readonly (readonly AxisPart[])[], shape: readonly number[], entries: number): Sizes {
  if (shape.length !== axes.length) throw new DataError(`input ${JSON.stringify(name)} has the wrong rank`, { where: `feeds.${name}`, expected: `${axes.length} axes [${axes.map((g) => g.join('·') || '1').join(', ')}]`, got: `shape [${shape.join(', ')}]`, fix: 'feed the tensor in the shape the .onnx file takes' });
  const sizes: Sizes = { time: 1, batch: 1, entry: entries, feature: 1 };
  axes.forEach((group, a) => {
    const dim = shape[a] as number;
    const others = group.filter((part) => part === 'entry').length ? entries : 1;
    for (const part of group) if (part !== 'entry') sizes[part] = group.length > 1 ? dim / others : dim;
  });
  return sizes;
}

function numbers(feed: FeedTensor): ArrayLike<number> {
  return feed.data instanceof BigInt64Array ? Array.from(feed.data, Number) : feed.data;
}

/** The inputs of the imported model from feeds keyed by the file's input names. */
export function toUnfoldInputs(io: ImportedInterface, feeds: Readonly<Record<string, FeedTensor>>): UnfoldFeeds {
  const spec = io.inputs.find((i) => i.role === 'input');
  const feed = spec && feeds[spec.name];
  if (!spec?.axes || !feed) throw new DataError(`input ${JSON.stringify(spec?.name ?? 'input')} is missing`, { where: 'feeds', expected: `a tensor named ${JSON.stringify(spec?.name)}`, got: Object.keys(feeds).join(', ') || 'no inputs', fix: 'feed the same inputs as the .onnx file takes' });
  const x = batchTimeFeature(spec.name, spec.axes, feed);
  const [B, T] = x.shape as [number, number];
  const lengthsSpec = io.inputs.find((i) => i.role === 'sequence_lens');
  const lengthsFeed = lengthsSpec && feeds[lengthsSpec.name];
  let lengths: Int32Array | undefined;
  if (lengthsFeed) {
    const given = numbers(lengthsFeed);
    lengths = Int32Array.from({ length: B }, (_, b) => {
      const value = given[given.length === 1 ? 0 : b] as number;
      return lengthsSpec.clipped ? Math.min(Math.max(value, 0), T) : value;
    });
  }
  const fed = io.states.some((s) => s.initial && feeds[s.initial.input]);
  const initialState = fed ? io.states.map((state) => initialRow(io, feeds, state, B)) : undefined;
  const targetSpec = io.inputs.find((i) => i.role === 'target');
  const targetFeed = targetSpec && feeds[targetSpec.name];
  if (targetSpec && !targetFeed) throw new DataError(`input ${JSON.stringify(targetSpec.name)} is missing`, { where: 'feeds', expected: `the decoder inputs, a tensor named ${JSON.stringify(targetSpec.name)}`, got: Object.keys(feeds).join(', '), fix: 'feed the same inputs as the .onnx file takes' });
  const target = targetSpec?.axes && targetFeed ? batchTimeFeature(targetSpec.name, targetSpec.axes, targetFeed) : undefined;
  return { x, ...(target ? { target } : {}), ...(lengths ? { lengths } : {}), ...(initialState ? { initialState } : {}) };
}

/** A fed sequence in unfold's layout: [B, T, F] for features, [B, T] for token ids (no feature axis). */
function batchTimeFeature(name: string, axes: readonly (readonly AxisPart[])[], feed: FeedTensor): HostTensor {
  const sizes = sizesFrom(name, axes, feed.shape, 1);
  const strides = stridesOf(axes, sizes);
  const [B, T, F] = [sizes.batch, sizes.time, sizes.feature];
  const source = numbers(feed);
  const data = new Float32Array(B * T * F);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) data[(b * T + t) * F + f] = source[b * strides.batch + t * strides.time + f * strides.feature] as number;
  return { shape: axes.some((group) => group.includes('feature')) ? [B, T, F] : [B, T], data };
}

function initialRow(io: ImportedInterface, feeds: Readonly<Record<string, FeedTensor>>, state: ImportedInterface['states'][number], B: number): HostTensor {
  const data = new Float32Array(B * state.size);
  const feed = state.initial && feeds[state.initial.input];
  const spec = state.initial && io.inputs.find((i) => i.name === state.initial?.input);
  if (!feed || !spec?.axes || !state.initial) return { shape: [B, state.size], data };
  const sizes = sizesFrom(spec.name, spec.axes, feed.shape, spec.states?.length ?? 1);
  const strides = stridesOf(spec.axes, sizes);
  const source = numbers(feed);
  const entry = state.initial.entry;
  for (let b = 0; b < B; b++) {
    const row = sizes.batch === 1 ? 0 : b;
    for (let f = 0; f < state.size; f++) data[b * state.size + f] = source[entry * strides.entry + row * strides.batch + f * strides.feature] as number;
  }
  return { shape: [B, state.size], data };
}

/** The imported model's results under the file's output names, in the file's shapes. */
export function fromUnfoldOutputs(io: ImportedInterface, results: UnfoldResults, statePaths: readonly string[] = io.states.map((s) => s.path)): Record<string, HostTensor> {
  const [B, T, O] = results.output.shape as [number, number, number];
  const out: Record<string, HostTensor> = {};
  for (const spec of io.outputs) {
    const blocks = spec.blocks ?? [];
    const states = spec.states ?? [];
    const entries = spec.role === 'output' ? blocks.length : states.length;
    const feature = spec.role === 'output' ? (blocks[0]?.size ?? O) : (io.states.find((s) => s.path === states[0])?.size ?? 0);
    const sizes: Sizes = { time: spec.role === 'output' ? T : 1, batch: B, entry: entries, feature };
    const strides = stridesOf(spec.axes, sizes);
    const data = new Float32Array(sizes.time * B * entries * feature);
    for (let e = 0; e < entries; e++) {
      const state = spec.role === 'final_state' ? results.finalState[statePaths.indexOf(states[e] as string)] : undefined;
      const offset = blocks[e]?.offset ?? 0;
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < sizes.time; t++) {
          for (let f = 0; f < feature; f++) {
            const value = state ? state.data[b * feature + f] : results.output.data[(b * T + t) * O + offset + f];
            data[e * strides.entry + b * strides.batch + t * strides.time + f * strides.feature] = value as number;
          }
        }
      }
    }
    out[spec.name] = { shape: shapeFor(spec.axes, sizes), data };
  }
  return out;
}
