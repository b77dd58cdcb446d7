import { shapeError, unsupported } from '../../errors';
import type { Node } from '../../model/graph';
import { Tensor } from '../../tensor';
import { floatAttr, hasAttr, intAttr, onlyValues, stringAttr, stringsAttr } from '../attributes';
import type { OpContext, Operator } from '../operator';
import { integerList } from '../values';
import { ACTIVATIONS, type Activation } from './activations';
import type { DirectionInput } from './direction';
import { gruDirection } from './gru';
import { gruOnKernels, lstmOnKernels, rnnOnKernels } from './kernel-path';
import { lstmDirection } from './lstm';
import { rnnDirection } from './rnn';

/**
 * The ONNX LSTM, GRU and RNN operators (opset 14 semantics; layout 0): inputs checked, split per
 * direction, and each direction run by the WebAssembly kernels (kernel-path.ts) or, where they cannot,
 * the flat-array function of lstm.ts, gru.ts or rnn.ts. Y is
 * [T, D, B, H], Y_h (and Y_c) [D, B, H]. Checked at load: direction, layout 0, activations the engine
 * implements (no alpha/beta).
 */
interface Family {
  /** Gates per hidden unit (W is [D, gates·H, I]). */
  readonly gates: number;
  /** Activations per direction. */
  readonly activations: number;
  readonly defaults: readonly string[];
}

const FAMILIES: Readonly<Record<'LSTM' | 'GRU' | 'RNN', Family>> = {
  LSTM: { gates: 4, activations: 3, defaults: ['Sigmoid', 'Tanh', 'Tanh'] },
  GRU: { gates: 3, activations: 2, defaults: ['Sigmoid', 'Tanh'] },
  RNN: { gates: 1, activations: 1, defaults: ['Tanh'] },
};

function directions(node: Node): number {
  return stringAttr(node, 'direction', 'forward') === 'bidirectional' ? 2 : 1; // ONNX's direction attribute, not a plugin kind
}

function activationNames(node: Node, family: Family): readonly string[] {
  const count = directions(node);
  const names = hasAttr(node, 'activations') ? stringsAttr(node, 'activations') : Array.from({ length: count }, () => family.defaults).flat();
  // RNN's default for bidirectional is one Tanh for both (the spec lists one); repeat a single list.
  return names.length === family.activations ? Array.from({ length: count }, () => names).flat() : names;
}

function check(family: Family) {
  return (node: Node, where: string) => {
    onlyValues(node, where, 'direction', stringAttr(node, 'direction', 'forward'), ['forward', 'reverse', 'bidirectional']);
    onlyValues(node, where, 'layout', intAttr(node, 'layout', 0), [0]);
    if (hasAttr(node, 'activation_alpha') || hasAttr(node, 'activation_beta')) throw unsupported(where, 'activation_alpha or activation_beta', 'activations without parameters');
    const names = activationNames(node, family);
    if (names.length !== family.activations * directions(node)) throw unsupported(where, `${names.length} activations`, `${family.activations * directions(node)}`);
    for (const name of names) if (!(name in ACTIVATIONS)) throw unsupported(where, `activation ${name}`, Object.keys(ACTIVATIONS).join(', '));
  };
}

function floats(t: Tensor | undefined, where: string, what: string, dims: readonly number[]): Float32Array | undefined {
  if (!t) return undefined;
  if (t.type !== 'float32' || t.dims.length !== dims.length || t.dims.some((d, i) => d !== dims[i])) {
    throw shapeError(where, `${what} has the wrong shape`, `float32 [${dims.join(', ')}]`, `${t.type} [${t.dims.join(', ')}]`);
  }
  return t.data as Float32Array;
}

/** A node's inputs checked and read, for every direction: DirectionInput's shared fields, all directions together. */
interface Prepared extends Pick<DirectionInput, 'x' | 'steps' | 'batch' | 'inputSize' | 'hidden' | 'w' | 'r' | 'bias' | 'lengths' | 'h0' | 'clip' | 'y'> {
  readonly directions: number;
  readonly activations: Activation[];
}

function prepare(family: Family, node: Node, inputs: readonly (Tensor | undefined)[], where: string): Prepared {
  const [x, w, r, b, lens, h0] = inputs;
  const D = directions(node);
  const H = intAttr(node, 'hidden_size');
  const G = family.gates * H;
  if (!x || x.dims.length !== 3 || x.type !== 'float32') throw shapeError(where, 'X has the wrong shape', 'float32 [seq_length, batch_size, input_size]', x ? `${x.type} [${x.dims.join(', ')}]` : 'none');
  const [steps, batch, inputSize] = x.dims as [number, number, number];
  const lengths = lens ? integerList(lens, where, 'sequence_lens') : new Array<number>(batch).fill(steps);
  if (lengths.length !== batch || lengths.some((l) => l < 0 || l > steps)) throw shapeError(where, 'sequence_lens do not fit X', `${batch} lengths in [0, ${steps}]`, `[${lengths.join(', ')}]`);
  return {
    x: x.data as Float32Array,
    steps,
    batch,
    inputSize,
    hidden: H,
    directions: D,
    w: floats(w, where, 'W', [D, G, inputSize]) as Float32Array,
    r: floats(r, where, 'R', [D, G, H]) as Float32Array,
    bias: floats(b, where, 'B', [D, 2 * G]),
    lengths,
    h0: floats(h0, where, 'initial_h', [D, batch, H]) ?? new Float32Array(D * batch * H),
    clip: hasAttr(node, 'clip') ? floatAttr(node, 'clip') : Infinity,
    activations: activationNames(node, family).map((name) => ACTIVATIONS[name] as Activation),
    y: node.outputs[0] ? new Float32Array(steps * D * batch * H) : undefined,
  };
}

/** Direction d's slice of a [D, n] array. */
const part = (values: Float32Array | undefined, d: number, n: number) => values?.subarray(d * n, (d + 1) * n);

function direction(context: OpContext, p: Prepared, d: number, family: Family) {
  const { node } = context;
  const { steps, batch, inputSize, hidden: H } = p;
  const G = family.gates * H;
  return {
    x: p.x,
    steps,
    batch,
    inputSize,
    hidden: H,
    w: part(p.w, d, G * inputSize) as Float32Array,
    r: part(p.r, d, G * H) as Float32Array,
    fixedWeights: context.isInitializer(1) && context.isInitializer(2),
    bias: part(p.bias, d, 2 * G),
    lengths: p.lengths,
    h0: part(p.h0, d, batch * H) as Float32Array,
    clip: p.clip,
    reverse: d === 1 || stringAttr(node, 'direction', 'forward') === 'reverse',
    y: p.y,
    yOffset: d * batch * H,
    yStride: p.directions * batch * H,
  };
}

/**
 * Y, then Y_h (and Y_c) stacked over directions. A sequence of length 0 has final states of 0, as in
 * onnxruntime (not its initial state).
 */
function outputs(p: Prepared, finals: readonly Float32Array[][]): Tensor[] {
  const { steps, batch, hidden: H, directions: D } = p;
  for (const state of finals.flat()) for (let b = 0; b < batch; b++) if (p.lengths[b] === 0) state.fill(0, b * H, (b + 1) * H);
  const stack = (k: number) => {
    const out = new Float32Array(D * batch * H);
    finals.forEach((f, d) => out.set(f[k] as Float32Array, d * batch * H));
    return new Tensor('float32', out, [D, batch, H]);
  };
  const y = new Tensor('float32', p.y ?? new Float32Array(0), p.y ? [steps, D, batch, H] : [0]);
  return [y, ...(finals[0] ?? []).map((_, k) => stack(k))];
}

/** An ONNX recurrent operator: its checks, the shared preparation, each direction run by `runDirection` (its final states), the shared outputs. */
function recurrentOperator(family: Family, runDirection: (context: OpContext, p: Prepared, d: number, inputs: readonly (Tensor | undefined)[]) => Float32Array[]): Operator {
  return {
    since: 14,
    until: 17,
    check: check(family),
    run(inputs, context) {
      const p = prepare(family, context.node, inputs, context.where);
      return outputs(p, Array.from({ length: p.directions }, (_, d) => runDirection(context, p, d, inputs)));
    },
  };
}

export const LSTM = recurrentOperator(FAMILIES.LSTM, (context, p, d, inputs) => {
  const { batch, hidden: H, directions: D } = p;
  const c0 = floats(inputs[6], context.where, 'initial_c', [D, batch, H]) ?? new Float32Array(D * batch * H);
  const peepholes = floats(inputs[7], context.where, 'P', [D, 3 * H]);
  const activations = p.activations.slice(3 * d, 3 * d + 3) as [Activation, Activation, Activation];
  const run = { ...direction(context, p, d, FAMILIES.LSTM), c0: part(c0, d, batch * H) as Float32Array, peepholes: part(peepholes, d, 3 * H), inputForget: intAttr(context.node, 'input_forget', 0) !== 0, activations };
  const { h, c } = lstmOnKernels(run) ?? lstmDirection(run);
  return [h, c];
});

export const GRU = recurrentOperator(FAMILIES.GRU, (context, p, d) => {
  const activations = p.activations.slice(2 * d, 2 * d + 2) as [Activation, Activation];
  const run = { ...direction(context, p, d, FAMILIES.GRU), linearBeforeReset: intAttr(context.node, 'linear_before_reset', 0) !== 0, activations };
  return [(gruOnKernels(run) ?? gruDirection(run)).h];
});

export const RNN = recurrentOperator(FAMILIES.RNN, (context, p, d) => {
  const run = { ...direction(context, p, d, FAMILIES.RNN), activations: [p.activations[d] as Activation] as const };
  return [(rnnOnKernels(run) ?? rnnDirection(run)).h];
});
