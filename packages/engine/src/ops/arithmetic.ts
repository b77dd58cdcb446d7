import { shapeError } from '../errors';
import type { Tensor, TensorType } from '../tensor';
import { mapBinary } from './broadcast';
import type { Operator } from './operator';

/**
 * Add, Sub, Mul, Div, Pow, Min, Max and the comparisons, with broadcasting. Integer results truncate
 * toward zero (integer division as in onnxruntime's C++); int32 results wrap to 32 bits.
 */
function sameType(inputs: readonly (Tensor | undefined)[], where: string): Tensor[] {
  const tensors = inputs.filter((t): t is Tensor => t !== undefined);
  const type = tensors[0]?.type;
  if (!type || tensors.some((t) => t.type !== type)) throw shapeError(where, 'the inputs have different types', 'one element type for all inputs', tensors.map((t) => t.type).join(', '));
  return tensors;
}

function integral(type: TensorType, f: (x: number, y: number) => number): (x: number, y: number) => number {
  if (type === 'int32') return (x, y) => f(x, y) | 0;
  if (type === 'int64') return (x, y) => Math.trunc(f(x, y));
  return f;
}

function arithmetic(f: (x: number, y: number) => number): Operator {
  return {
    since: 13,
    until: 17,
    run(inputs, { where }) {
      const [a, b] = sameType(inputs, where) as [Tensor, Tensor];
      const type = a.type;
      return [mapBinary(a, b, type, where, type === 'float32' ? f : integral(type, f))];
    },
  };
}

/** Min and Max take one or more inputs. */
function variadic(f: (x: number, y: number) => number): Operator {
  return {
    since: 13,
    until: 17,
    run(inputs, { where }) {
      const tensors = sameType(inputs, where);
      let result = tensors[0] as Tensor;
      for (const next of tensors.slice(1)) result = mapBinary(result, next, result.type, where, f);
      return [tensors.length === 1 ? mapBinary(result, result, result.type, where, (x) => x) : result];
    },
  };
}

function comparison(f: (x: number, y: number) => boolean): Operator {
  return {
    since: 13,
    until: 17,
    run(inputs, { where }) {
      const [a, b] = sameType(inputs, where) as [Tensor, Tensor];
      return [mapBinary(a, b, 'bool', where, (x, y) => (f(x, y) ? 1 : 0))];
    },
  };
}

const NAN_MIN = (x: number, y: number) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.min(x, y));
const NAN_MAX = (x: number, y: number) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.max(x, y));

export const ARITHMETIC: Readonly<Record<string, Operator>> = {
  Add: arithmetic((x, y) => x + y),
  Sub: arithmetic((x, y) => x - y),
  Mul: arithmetic((x, y) => x * y),
  Div: arithmetic((x, y) => x / y),
  Pow: {
    since: 13,
    until: 17,
    // The exponent may have another type than the base (T1); the result has the base's.
    run: ([a, b], { where }) => [mapBinary(a as Tensor, b as Tensor, (a as Tensor).type, where, (a as Tensor).type === 'float32' ? Math.pow : integral((a as Tensor).type, Math.pow))],
  },
  Min: variadic(NAN_MIN),
  Max: variadic(NAN_MAX),
  Less: comparison((x, y) => x < y),
  LessOrEqual: comparison((x, y) => x <= y),
  Greater: comparison((x, y) => x > y),
  GreaterOrEqual: comparison((x, y) => x >= y),
  Equal: comparison((x, y) => x === y),
};
