import { shapeError } from '../errors';
import { sizeOf, Tensor } from '../tensor';
import { intAttr } from './attributes';
import type { Operator } from './operator';
import { normaliseAxis } from './values';

/** Softmax and LogSoftmax over one axis (opset 13), computed stably (the maximum subtracted first). */
function softmax(log: boolean): Operator {
  return {
    since: 13,
    until: 17,
    run([x], { node, where }) {
      const input = x as Tensor;
      if (input.type !== 'float32') throw shapeError(where, 'a float32 input', 'float32', input.type);
      const axis = normaliseAxis(intAttr(node, 'axis', -1), input.dims.length, where);
      const size = input.dims[axis] as number;
      const inner = sizeOf(input.dims.slice(axis + 1));
      const outer = sizeOf(input.dims.slice(0, axis));
      const data = input.data as Float32Array;
      const out = new Float32Array(input.size);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const base = o * size * inner + i;
          let max = -Infinity;
          for (let s = 0; s < size; s++) max = Math.max(max, data[base + s * inner] as number);
          let sum = 0;
          for (let s = 0; s < size; s++) sum += Math.exp((data[base + s * inner] as number) - max);
          const logSum = Math.log(sum);
          for (let s = 0; s < size; s++) {
            const shifted = (data[base + s * inner] as number) - max;
            out[base + s * inner] = log ? shifted - logSum : Math.exp(shifted) / sum;
          }
        }
      }
      return [new Tensor('float32', out, input.dims)];
    },
  };
}

export const Softmax = softmax(false);
export const LogSoftmax = softmax(true);
