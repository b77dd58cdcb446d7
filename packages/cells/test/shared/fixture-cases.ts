import { hostTensor, type HostTensor } from '@unfold/core';
import { loadFixture, type FixtureValue } from '@unfold/testing';

/**
 * Golden fixtures (packages/cells/test/fixtures, schema in tools/fixtures/README.md) cut into what a
 * single cell can check: one direction of one single-layer case. A bidirectional case gives two
 * direction cases; the reverse one is checked by running the cell over each sequence reversed within
 * its length. Multi-layer cases are left to the layer tests.
 */
export interface DirectionCase {
  /** `<fixture> forward` or `<fixture> reverse`. */
  readonly name: string;
  readonly reverse: boolean;
  /** The direction's own weights, ONNX layout without the num_directions axis: W, R, B?, P?. */
  readonly weights: Readonly<Record<string, HostTensor>>;
  /** [T, B, I], time-major, in the original time order. */
  readonly x: HostTensor;
  /** Real length of each sequence, or undefined when all are T. */
  readonly lengths: readonly number[] | undefined;
  /** Initial states [B, H] in the cell's state order (h, then c for an LSTM); undefined = zeros. */
  readonly state0: readonly (HostTensor | undefined)[];
  /** Expected outputs [T, B, H] in original time order (zero past each length), if the fixture has them. */
  readonly outputs: HostTensor | undefined;
  /** Expected final states [B, H] in the cell's state order; undefined where the fixture has none. */
  readonly finalState: readonly (HostTensor | undefined)[];
  /** The operator attributes a cell config is derived from. */
  readonly op: 'RNN' | 'GRU' | 'LSTM';
  readonly activations: readonly string[];
  readonly clip: number | undefined;
  readonly inputForget: boolean;
  readonly linearBeforeReset: boolean;
  /** True when the fixture's direction has a non-zero bias (torch bias=false fixtures hold zeros). */
  readonly bias: boolean;
}

type Json = { readonly [key: string]: FixtureValue };

function tensor(value: FixtureValue | undefined): HostTensor | undefined {
  return value && typeof value === 'object' && 'shape' in value && 'data' in value ? (value as HostTensor) : undefined;
}

/** Block d of a tensor whose leading axis is indexed by d (a direction, or layer·D + direction). */
function block(t: HostTensor, d: number): HostTensor {
  const [, ...rest] = t.shape;
  const size = rest.reduce((a, b) => a * b, 1);
  return hostTensor(rest, t.data.slice(d * size, (d + 1) * size));
}

/** Permutes a tensor's axes (row-major copy). */
function permute(t: HostTensor, order: readonly number[]): HostTensor {
  const shape = order.map((axis) => t.shape[axis] as number);
  const strides = t.shape.map((_, axis) => t.shape.slice(axis + 1).reduce((a, b) => a * b, 1));
  const out = new Float32Array(t.data.length);
  const index = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < out.length; k++) {
    let source = 0;
    order.forEach((axis, j) => (source += (index[j] as number) * (strides[axis] as number)));
    out[k] = t.data[source] as number;
    for (let j = shape.length - 1; j >= 0; j--) {
      index[j] = (index[j] as number) + 1;
      if ((index[j] as number) < (shape[j] as number)) break;
      index[j] = 0;
    }
  }
  return hostTensor(shape, out);
}

/** Columns [d·H, (d+1)·H) of the last axis of [T, B, D·H]. */
function directionColumns(t: HostTensor, d: number, H: number): HostTensor {
  const [T = 0, B = 0, DH = 0] = t.shape;
  const out = new Float32Array(T * B * H);
  for (let row = 0; row < T * B; row++) out.set(t.data.subarray(row * DH + d * H, row * DH + (d + 1) * H), row * H);
  return hostTensor([T, B, H], out);
}

/** The single-layer direction cases of a PyTorch fixture (fixtures/torch). */
export function torchDirectionCases(path: string): DirectionCase[] {
  const file = loadFixture<Json>(path);
  const config = file.config as Json;
  if (config.numLayers !== 1) return [];
  const D = config.bidirectional ? 2 : 1;
  const H = config.hiddenSize as number;
  const weights = file.weights as readonly Json[];
  const lengths = tensor(file.lengths);
  const h0 = tensor(file.h0);
  const c0 = tensor(file.c0);
  const output = tensor(file.output) as HostTensor;
  const hN = tensor(file.hN) as HostTensor;
  const cN = tensor(file.cN);
  const op = config.onnxOp as DirectionCase['op'];
  return Array.from({ length: D }, (_, d): DirectionCase => {
    const w = weights.find((item) => item.layer === 0 && item.direction === d) as Json;
    const B = tensor(w.B) as HostTensor;
    if (!config.bias && B.data.some((v) => v !== 0)) throw new Error(`${file.name}: bias=false but B holds non-zero values`);
    return {
      name: `${file.name} ${d === 1 ? 'reverse' : 'forward'}`,
      reverse: d === 1,
      weights: config.bias ? { W: tensor(w.W) as HostTensor, R: tensor(w.R) as HostTensor, B } : { W: tensor(w.W) as HostTensor, R: tensor(w.R) as HostTensor },
      x: tensor(file.x) as HostTensor,
      lengths: lengths && Array.from(lengths.data),
      state0: [h0 && block(h0, d), ...(op === 'LSTM' ? [c0 && block(c0, d)] : [])],
      outputs: directionColumns(output, d, H),
      finalState: [block(hN, d), ...(op === 'LSTM' ? [cN && block(cN, d)] : [])],
      op,
      activations: config.activations as readonly string[],
      clip: undefined,
      inputForget: false,
      linearBeforeReset: config.linearBeforeReset === 1,
      bias: config.bias === true,
    };
  });
}

/** The direction cases of an ONNX fixture (fixtures/onnx); layout 1 is converted to time-major. */
export function onnxDirectionCases(path: string): DirectionCase[] {
  const file = loadFixture<Json>(path);
  const attributes = file.attributes as Json;
  const inputs = file.inputs as Json;
  const outputs = file.outputs as Json;
  const batchMajor = attributes.layout === 1;
  const direction = attributes.direction as string;
  const D = direction === 'bidirectional' ? 2 : 1;
  const timeMajor = (t: HostTensor | undefined, order: number[]): HostTensor | undefined => (t && batchMajor ? permute(t, order) : t);
  const x = timeMajor(tensor(inputs.X), [1, 0, 2]) as HostTensor;
  const Y = timeMajor(tensor(outputs.Y), [1, 2, 0, 3]); // [T, D, B, H]
  const states = (name: string): HostTensor | undefined => timeMajor(tensor(inputs[name] ?? outputs[name]), [1, 0, 2]); // [D, B, H]
  const lengths = tensor(inputs.sequence_lens);
  const op = file.op as DirectionCase['op'];
  const activations = attributes.activations as readonly string[];
  const perDirection = activations.length / D;
  return Array.from({ length: D }, (_, d): DirectionCase => {
    const B = tensor(inputs.B);
    const P = tensor(inputs.P);
    const reverse = direction === 'reverse' || d === 1;
    const pick = (name: string): HostTensor | undefined => {
      const t = states(name);
      return t && block(t, d);
    };
    return {
      name: `${file.name} ${reverse ? 'reverse' : 'forward'}`,
      reverse,
      weights: {
        W: block(tensor(inputs.W) as HostTensor, d),
        R: block(tensor(inputs.R) as HostTensor, d),
        ...(B ? { B: block(B, d) } : {}),
        ...(P ? { P: block(P, d) } : {}),
      },
      x,
      lengths: lengths && Array.from(lengths.data),
      state0: [pick('initial_h'), ...(op === 'LSTM' ? [pick('initial_c')] : [])],
      outputs: Y && block(permute(Y, [1, 0, 2, 3]), d),
      finalState: [tensor(outputs.Y_h) && pick('Y_h'), ...(op === 'LSTM' ? [tensor(outputs.Y_c) && pick('Y_c')] : [])],
      op,
      activations: activations.slice(d * perDirection, (d + 1) * perDirection),
      clip: typeof attributes.clip === 'number' ? attributes.clip : undefined,
      inputForget: attributes.input_forget === 1,
      linearBeforeReset: attributes.linear_before_reset === 1,
      bias: B !== undefined,
    };
  });
}
