import { hostTensor, type HostTensor } from '@unfold/core';
import { dataValue, entriesIndex, entriesOf, featuresAt } from './data-layout';
import { importError } from './errors';
import type { NodeContext, OpHandler } from './node-context';
import type { HeadActivation, HeadRecord } from './records';
import { binaryStatic, normalizeAxis, transposeStatic } from './static-ops';
import { shapeOf, type Atom, type DataValue, type StaticValue, type Value } from './values';

/**
 * Dense heads: MatMul by a constant [F, O] (nn.Linear on a 3-D tensor) or Gemm (nn.Linear on 2-D), then
 * an Add of a constant bias and an optional Relu / Tanh / Sigmoid / Softmax over the features, become one
 * unfold `dense` head (W [O, F], b [O]). Add of two constants is folded (graphs exported without
 * constant folding).
 */
function floatConstant(context: NodeContext, value: Value, index: number, what: string): StaticValue {
  if (value.kind !== 'static' || value.dtype !== 'float32') throw importError(`${what} is not a float32 constant`, { where: context.where, expected: `${what} as an initializer or folded constant`, got: context.describe(index), fix: 'heads must multiply the recurrent outputs by constant weights' });
  return value;
}

function toHost(value: StaticValue, name: string): HostTensor {
  return hostTensor(value.shape, Float32Array.from(value.data as number[]), name);
}

/** The head's output: the input's atoms with its features replaced by this head's O units. */
function headOutput(context: NodeContext, input: DataValue, W: StaticValue, transposed: boolean): DataValue {
  const rank = input.axes.length;
  const features = featuresAt(input, rank - 1, context.where);
  const [F, O] = transposed ? [W.shape[1] as number, W.shape[0] as number] : [W.shape[0] as number, W.shape[1] as number];
  if (W.shape.length !== 2 || F !== features.entries.length * features.units) {
    throw importError('head weights do not match the features', { where: context.where, expected: `weights [${features.entries.length * features.units}, O]`, got: `[${W.shape.join(', ')}]${transposed ? ' (transB)' : ''}` });
  }
  const index = context.state.heads.length;
  const record: HeadRecord = { index, label: context.where, input: features.entries, inputSize: F, outputSize: O, W: toHost(transposed ? W : transposeStatic(W, [1, 0]), 'W'), b: undefined, activation: 'linear' };
  context.state.heads.push(record);
  const keep = input.atoms.map((atom, i) => ({ atom, i })).filter(({ atom }) => atom.kind === 'axis');
  const atoms: Atom[] = [...keep.map(({ atom }) => atom), { kind: 'entries', entries: [{ kind: 'head', head: index }] }, { kind: 'units', size: O }];
  const position = new Map(keep.map(({ i }, k) => [i, k]));
  const axes = input.axes.map((group, a) => (a === rank - 1 ? [atoms.length - 1] : group.map((i) => position.get(i) as number)));
  return dataValue(atoms, axes, { perm: input.perm, lastStep: input.lastStep });
}

function headOf(context: NodeContext, value: DataValue): HeadRecord | undefined {
  const entries = entriesOf(value);
  const entry = entries.length === 1 ? entries[0] : undefined;
  const pinned = !value.axes.some((group) => group.includes(entriesIndex(value)));
  return entry?.kind === 'head' && pinned ? context.state.heads[entry.head] : undefined;
}

const matMul: OpHandler = (context) => {
  const a = context.input(0);
  if (a.kind !== 'data') throw importError('MatMul that is not a head over computed features', { where: context.where, expected: 'MatMul(features, constant weights [F, O])', got: `${context.describe(0)} times ${context.describe(1)}` });
  return [headOutput(context, a, floatConstant(context, context.input(1), 1, 'the MatMul weights'), false)];
};

const gemm: OpHandler = (context) => {
  const a = context.input(0);
  const alpha = context.attributes.float('alpha') ?? 1;
  const beta = context.attributes.float('beta') ?? 1;
  if (a.kind !== 'data' || shapeOf(a).length !== 2 || context.attributes.int('transA', 0) !== 0 || alpha !== 1 || beta !== 1) {
    throw importError('Gemm that is not a dense head', { where: context.where, expected: 'Gemm(features [N, F], constant weights, constant bias) with alpha = beta = 1 and transA = 0', got: `${context.describe(0)}, alpha ${alpha}, beta ${beta}, transA ${context.attributes.int('transA', 0)}`, fix: 'export nn.Linear as it is (PyTorch writes alpha = beta = 1)' });
  }
  const out = headOutput(context, a, floatConstant(context, context.input(1), 1, 'the Gemm weights'), context.attributes.int('transB', 0) === 1);
  const C = context.optional(2);
  return [C ? withBias(context, out, floatConstant(context, C, 2, 'the Gemm bias')) : out];
};

function withBias(context: NodeContext, value: DataValue, bias: StaticValue): DataValue {
  const head = headOf(context, value);
  const O = head?.outputSize ?? 0;
  if (!head || head.b || head.activation !== 'linear') throw importError('Add that is not a head bias', { where: context.where, expected: 'one Add of a constant bias right after the head’s MatMul', got: head ? 'a second bias, or a bias after the activation' : 'an Add on values that are not a head’s output', fix: 'unfold’s dense head computes act(x·Wᵀ + b); fold extra terms into b before export' });
  if (bias.data.length !== O || bias.shape.some((d, i) => d !== 1 && i !== bias.shape.length - 1)) throw importError('head bias has the wrong shape', { where: context.where, expected: `[${O}] (or [1, …, ${O}])`, got: `[${bias.shape.join(', ')}]` });
  context.state.heads[head.index] = { ...head, b: hostTensor([O], Float32Array.from(bias.data as number[]), 'b') };
  return value;
}

const add: OpHandler = (context) => {
  const a = context.input(0);
  const b = context.input(1);
  if (a.kind === 'static' && b.kind === 'static') {
    const sum = binaryStatic(a, b, a.dtype, (x, y) => (a.dtype === 'float32' ? Math.fround((x as number) + (y as number)) : (x as number) + (y as number)));
    if (sum) return [sum];
  }
  if (a.kind === 'data' && b.kind === 'static') return [withBias(context, a, floatConstant(context, b, 1, 'the bias'))];
  if (b.kind === 'data' && a.kind === 'static') return [withBias(context, b, floatConstant(context, a, 0, 'the bias'))];
  throw importError('Add that is not a head bias', { where: context.where, expected: 'Add(head output, constant bias) or Add of two constants', got: `${context.describe(0)} + ${context.describe(1)}`, fix: 'residual connections and merges by sum are not imported; export a concatenating model' });
};

function activation(kind: Exclude<HeadActivation, 'linear'>): OpHandler {
  return (context) => {
    const value = context.input(0);
    const head = value.kind === 'data' ? headOf(context, value) : undefined;
    const lastAxis = value.kind === 'data' ? value.axes.length - 1 : 0;
    const axis = normalizeAxis(context.attributes.int('axis', -1), lastAxis + 1);
    if (!head || head.activation !== 'linear' || (kind === 'softmax' && (axis !== lastAxis || context.state.opset < 13))) {
      throw importError(`${context.node.opType} that is not a head activation`, { where: context.where, expected: `${context.node.opType} right after a head’s MatMul (and bias)${kind === 'softmax' ? ', over the last axis, opset 13 or later' : ''}`, got: head ? `a head that already has ${head.activation}` : context.describe(0), fix: 'activations are imported only as the output of a dense head' });
    }
    context.state.heads[head.index] = { ...head, activation: kind };
    return [value];
  };
}

export const headOps: Readonly<Record<string, OpHandler>> = { MatMul: matMul, Gemm: gemm, Add: add, Relu: activation('relu'), Tanh: activation('tanh'), Sigmoid: activation('sigmoid'), Softmax: activation('softmax') };
