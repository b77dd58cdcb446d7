import { shapeError } from '../errors';
import { allocate, Tensor, type TensorType } from '../tensor';
import type { Operator } from './operator';
import { fromNumbers, numbers } from './values';

/** The elementwise one-input operators: activations and math on float32, Abs and Neg on any number type, Not on bool. */
function unary(f: (x: number) => number, types: readonly TensorType[] = ['float32']): Operator {
  return {
    since: 13,
    until: 17,
    run([x], { where }) {
      const input = x as Tensor;
      if (!types.includes(input.type)) throw shapeError(where, 'an input type this operator does not take', types.join(' or '), input.type);
      const values = numbers(input);
      if (input.type === 'int64') return [fromNumbers('int64', Array.from(values, f), input.dims)];
      const out = allocate(input.type, input.size) as Float32Array;
      for (let i = 0; i < out.length; i++) out[i] = f(values[i] as number);
      return [new Tensor(input.type, out, input.dims)];
    },
  };
}

/** log(1 + eˣ) without overflow for large x. */
const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const NUMBERS: readonly TensorType[] = ['float32', 'int32', 'int64'];

export const UNARY: Readonly<Record<string, Operator>> = {
  Tanh: unary(Math.tanh),
  Sigmoid: unary(sigmoid),
  Relu: unary((x) => (x > 0 ? x : 0), NUMBERS),
  Exp: unary(Math.exp),
  Log: unary(Math.log),
  Sqrt: unary(Math.sqrt),
  Softplus: unary(softplus),
  Reciprocal: unary((x) => 1 / x),
  Floor: unary(Math.floor),
  Ceil: unary(Math.ceil),
  Abs: unary(Math.abs, NUMBERS),
  Neg: unary((x) => -x, NUMBERS),
  Not: unary((x) => (x ? 0 : 1), ['bool']),
};

export { sigmoid };
