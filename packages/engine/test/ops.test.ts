import { describe, it } from 'vitest';
import { bool, expectValue, f32, i32, i64, runOp, type Value } from './kit';
import type { OnnxAttributeValue } from '@unfold/core';
import type { TensorType } from '../src/index';

/**
 * Each operator on hand-computed values (broadcasting, negative axes, empty tensors, int64 shape inputs),
 * every case also run in onnxruntime-node and compared within 1e-5 (kit.ts).
 */
interface Case {
  readonly name: string;
  readonly op: string;
  readonly inputs: readonly (Value | null)[];
  readonly attributes?: Readonly<Record<string, OnnxAttributeValue>>;
  readonly expected: readonly Value[];
}

const e = Math.E;
const CASES: readonly Case[] = [
  { name: 'Add broadcasts [2,1] with [3]', op: 'Add', inputs: [f32([2, 1], [1, 2]), f32([3], [10, 20, 30])], expected: [f32([2, 3], [11, 21, 31, 12, 22, 32])] },
  { name: 'Sub with a scalar', op: 'Sub', inputs: [f32([3], [1, 2, 3]), f32([], [1])], expected: [f32([3], [0, 1, 2])] },
  { name: 'Mul of int64 shapes', op: 'Mul', inputs: [i64([2], [3, -4]), i64([1], [5])], expected: [i64([2], [15, -20])] },
  { name: 'Div of int64 truncates toward zero', op: 'Div', inputs: [i64([3], [7, -7, 6]), i64([3], [2, 2, 3])], expected: [i64([3], [3, -3, 2])] },
  { name: 'Add of empty tensors', op: 'Add', inputs: [f32([0, 3], []), f32([1, 3], [1, 2, 3])], expected: [f32([0, 3], [])] },
  { name: 'Min of three, broadcast', op: 'Min', inputs: [f32([2], [1, 5]), f32([1], [3]), f32([2], [4, 0])], expected: [f32([2], [1, 0])] },
  { name: 'Max', op: 'Max', inputs: [f32([2, 2], [1, 5, -1, 2]), f32([2], [0, 3])], expected: [f32([2, 2], [1, 5, 0, 3])] },
  { name: 'Less', op: 'Less', inputs: [i64([3], [1, 2, 3]), i64([], [2])], expected: [bool([3], [1, 0, 0])] },
  { name: 'Greater', op: 'Greater', inputs: [f32([2], [1, 3]), f32([2], [2, 2])], expected: [bool([2], [0, 1])] },
  { name: 'Equal on int32', op: 'Equal', inputs: [i32([3], [1, 2, 3]), i32([1], [2])], expected: [bool([3], [0, 1, 0])] },
  { name: 'Or', op: 'Or', inputs: [bool([4], [0, 0, 1, 1]), bool([4], [0, 1, 0, 1])], expected: [bool([4], [0, 1, 1, 1])] },
  { name: 'Where broadcasts all three', op: 'Where', inputs: [bool([2, 1], [1, 0]), f32([2], [1, 2]), f32([], [9])], expected: [f32([2, 2], [1, 2, 9, 9])] },
  { name: 'Tanh', op: 'Tanh', inputs: [f32([2], [0, 1])], expected: [f32([2], [0, Math.tanh(1)])] },
  { name: 'Sigmoid', op: 'Sigmoid', inputs: [f32([3], [0, 2, -30])], expected: [f32([3], [0.5, 1 / (1 + Math.exp(-2)), 1 / (1 + Math.exp(30))])] },
  { name: 'Relu', op: 'Relu', inputs: [f32([3], [-1, 0, 2])], expected: [f32([3], [0, 0, 2])] },
  { name: 'Exp and Log', op: 'Log', inputs: [f32([2], [1, e])], expected: [f32([2], [0, 1])] },
  { name: 'Sqrt', op: 'Sqrt', inputs: [f32([2], [4, 2])], expected: [f32([2], [2, Math.SQRT2])] },
  { name: 'Softplus', op: 'Softplus', inputs: [f32([3], [0, 30, -30])], expected: [f32([3], [Math.LN2, 30, Math.exp(-30)])] },
  { name: 'Cast float to int32 truncates', op: 'Cast', inputs: [f32([3], [1.7, -1.7, 0])], attributes: { to: 6 }, expected: [i32([3], [1, -1, 0])] },
  { name: 'Cast int64 to bool', op: 'Cast', inputs: [i64([3], [0, 2, -1])], attributes: { to: 9 }, expected: [bool([3], [0, 1, 1])] },
  { name: 'Concat on axis -1', op: 'Concat', inputs: [f32([2, 1], [1, 2]), f32([2, 2], [3, 4, 5, 6])], attributes: { axis: -1 }, expected: [f32([2, 3], [1, 3, 4, 2, 5, 6])] },
  { name: 'Concat with an empty input', op: 'Concat', inputs: [f32([0, 2], []), f32([1, 2], [1, 2])], attributes: { axis: 0 }, expected: [f32([1, 2], [1, 2])] },
  { name: 'Split with sizes', op: 'Split', inputs: [f32([2, 3], [1, 2, 3, 4, 5, 6]), i64([2], [1, 2])], attributes: { axis: 1 }, expected: [f32([2, 1], [1, 4]), f32([2, 2], [2, 3, 5, 6])] },
  { name: 'Slice with negative start, step 1', op: 'Slice', inputs: [f32([4], [1, 2, 3, 4]), i64([1], [-3]), i64([1], [9007199254740991])], expected: [f32([3], [2, 3, 4])] },
  { name: 'Slice backward on axis -1', op: 'Slice', inputs: [f32([2, 3], [1, 2, 3, 4, 5, 6]), i64([1], [-1]), i64([1], [-1000]), i64([1], [-1]), i64([1], [-1])], expected: [f32([2, 3], [3, 2, 1, 6, 5, 4])] },
  { name: 'Slice to nothing', op: 'Slice', inputs: [f32([3], [1, 2, 3]), i64([1], [2]), i64([1], [1])], expected: [f32([0], [])] },
  { name: 'Gather with a negative index', op: 'Gather', inputs: [f32([3, 2], [1, 2, 3, 4, 5, 6]), i64([2], [-1, 0])], attributes: { axis: 0 }, expected: [f32([2, 2], [5, 6, 1, 2])] },
  { name: 'Gather on axis 1 with int32 indices [2,1]', op: 'Gather', inputs: [f32([2, 3], [1, 2, 3, 4, 5, 6]), i32([2, 1], [2, 0])], attributes: { axis: 1 }, expected: [f32([2, 2, 1], [3, 1, 6, 4])] },
  { name: 'GatherElements on axis 0', op: 'GatherElements', inputs: [f32([2, 2], [1, 2, 3, 4]), i64([2, 2], [1, 0, 0, 1])], attributes: { axis: 0 }, expected: [f32([2, 2], [3, 2, 1, 4])] },
  { name: 'ScatterND replaces rows', op: 'ScatterND', inputs: [f32([3, 2], [1, 2, 3, 4, 5, 6]), i64([1, 1], [1]), f32([1, 2], [9, 8])], expected: [f32([3, 2], [1, 2, 9, 8, 5, 6])] },
  { name: 'Reshape with 0 and -1', op: 'Reshape', inputs: [f32([2, 3, 2], [...Array(12).keys()]), i64([2], [0, -1])], expected: [f32([2, 6], [...Array(12).keys()])] },
  { name: 'Reshape of an empty tensor', op: 'Reshape', inputs: [f32([0, 3], []), i64([3], [0, 3, 1])], expected: [f32([0, 3, 1], [])] },
  { name: 'Transpose [1, 0, 2]', op: 'Transpose', inputs: [f32([2, 2, 1], [1, 2, 3, 4])], attributes: { perm: [1, 0, 2] }, expected: [f32([2, 2, 1], [1, 3, 2, 4])] },
  { name: 'Squeeze axis -1', op: 'Squeeze', inputs: [f32([2, 1], [1, 2]), i64([1], [-1])], expected: [f32([2], [1, 2])] },
  { name: 'Unsqueeze axes 0 and -1', op: 'Unsqueeze', inputs: [f32([2], [1, 2]), i64([2], [0, -1])], expected: [f32([1, 2, 1], [1, 2])] },
  { name: 'Expand [3,1] to [2,1,2]', op: 'Expand', inputs: [f32([3, 1], [1, 2, 3]), i64([3], [2, 1, 2])], expected: [f32([2, 3, 2], [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3])] },
  { name: 'Shape with start -2', op: 'Shape', inputs: [f32([4, 0, 3], [])], attributes: { start: -2 }, expected: [i64([2], [0, 3])] },
  { name: 'Size', op: 'Size', inputs: [f32([2, 3], [1, 2, 3, 4, 5, 6])], expected: [i64([], [6])] },
  { name: 'Identity of int64', op: 'Identity', inputs: [i64([2], [-5, 2 ** 40])], expected: [i64([2], [-5, 2 ** 40])] },
  { name: 'Range of int64, down', op: 'Range', inputs: [i64([], [5]), i64([], [0]), i64([], [-2])], expected: [i64([3], [5, 3, 1])] },
  { name: 'Range of float32, empty', op: 'Range', inputs: [f32([], [1]), f32([], [1]), f32([], [0.5])], expected: [f32([0], [])] },
  { name: 'ConstantOfShape (default 0)', op: 'ConstantOfShape', inputs: [i64([2], [2, 1])], expected: [f32([2, 1], [0, 0])] },
  { name: 'Pad constant, begin and end', op: 'Pad', inputs: [f32([1, 2], [1, 2]), i64([4], [0, 1, 1, 0]), f32([], [-1])], expected: [f32([2, 3], [-1, 1, 2, -1, -1, -1])] },
  { name: 'ReverseSequence within lengths', op: 'ReverseSequence', inputs: [f32([3, 2], [1, 10, 2, 20, 3, 30]), i64([2], [3, 2])], attributes: { time_axis: 0, batch_axis: 1 }, expected: [f32([3, 2], [3, 20, 2, 10, 1, 30])] },
  { name: 'MatMul broadcasts a batch against a matrix', op: 'MatMul', inputs: [f32([2, 1, 2], [1, 2, 3, 4]), f32([2, 2], [1, 0, 0, 2])], expected: [f32([2, 1, 2], [1, 4, 3, 8])] },
  { name: 'MatMul of a vector', op: 'MatMul', inputs: [f32([2], [1, 2]), f32([2, 3], [1, 2, 3, 4, 5, 6])], expected: [f32([3], [9, 12, 15])] },
  { name: 'MatMul with an empty batch', op: 'MatMul', inputs: [f32([0, 2], []), f32([2, 3], [1, 2, 3, 4, 5, 6])], expected: [f32([0, 3], [])] },
  { name: 'Gemm transB, alpha, beta, a row bias', op: 'Gemm', inputs: [f32([1, 2], [1, 2]), f32([2, 2], [1, 2, 3, 4]), f32([2], [1, 1])], attributes: { transB: 1, alpha: { float: 2 }, beta: { float: 0.5 } }, expected: [f32([1, 2], [10.5, 22.5])] },
  { name: 'Softmax on axis -1', op: 'Softmax', inputs: [f32([1, 2], [0, Math.log(3)])], attributes: { axis: -1 }, expected: [f32([1, 2], [0.25, 0.75])] },
  { name: 'LogSoftmax on axis 1', op: 'LogSoftmax', inputs: [f32([1, 2], [0, 0])], attributes: { axis: 1 }, expected: [f32([1, 2], [-Math.LN2, -Math.LN2])] },
  { name: 'ReduceSum over axis -1, keepdims', op: 'ReduceSum', inputs: [f32([2, 2], [1, 2, 3, 4]), i64([1], [-1])], attributes: { keepdims: 1 }, expected: [f32([2, 1], [3, 7])] },
  { name: 'ReduceSum over all, no axes', op: 'ReduceSum', inputs: [f32([2, 2], [1, 2, 3, 4])], attributes: { keepdims: 0 }, expected: [f32([], [10])] },
  { name: 'ReduceProd of int64', op: 'ReduceProd', inputs: [i64([2, 2], [1, 2, 3, 4])], attributes: { axes: [1], keepdims: 0 }, expected: [i64([2], [2, 12])] },
  { name: 'ReduceMin', op: 'ReduceMin', inputs: [f32([2, 2], [1, -2, 3, 0])], attributes: { keepdims: 0 }, expected: [f32([], [-2])] },
  { name: 'ArgMax, first of ties', op: 'ArgMax', inputs: [f32([2, 3], [1, 3, 3, 5, 0, 1])], attributes: { axis: 1, keepdims: 0 }, expected: [i64([2], [1, 0])] },
];

describe('operators on hand-computed values, and as onnxruntime-node computes them', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const outputs = await runOp(c.op, c.inputs, c.attributes ?? {}, c.expected.map((v) => v.type as TensorType));
      c.expected.forEach((value, i) => expectValue(outputs[i], value));
    });
  }
});
