import { shapeError } from '../errors';
import { allocate, sizeOf, Tensor } from '../tensor';
import { onlyValues, stringAttr } from './attributes';
import type { Operator } from './operator';
import { integerList, stridedIndex, stridesOf } from './values';

/**
 * Pad (opset 13, constant mode): pads [x1_begin, x2_begin, …, x1_end, x2_end, …], negative ones crop;
 * the fill is `constant_value` (0 by default). The edge and reflect modes are refused at load.
 */
export const Pad: Operator = {
  since: 13,
  until: 17,
  check(node, where) {
    onlyValues(node, where, 'mode', stringAttr(node, 'mode', 'constant'), ['constant']);
  },
  run([x, padsTensor, constant], { where }) {
    const input = x as Tensor;
    const rank = input.dims.length;
    const pads = integerList(padsTensor, where, 'pads');
    if (pads.length !== 2 * rank) throw shapeError(where, 'pads do not match the rank', `${2 * rank} values`, `${pads.length}`);
    const dims = input.dims.map((d, i) => d + (pads[i] as number) + (pads[i + rank] as number));
    if (dims.some((d) => d < 0)) throw shapeError(where, 'the pads crop more than the dim', 'non-negative output dims', `[${dims.join(', ')}]`);
    const out = allocate(input.type, sizeOf(dims));
    if (constant && constant.size > 0) (out as Float32Array).fill((constant.data as Float32Array)[0] as number);
    // Each input element lands at its own coordinates plus the begin pads (skipped when cropped away).
    const outStrides = stridesOf(dims);
    const target = stridedIndex(input.dims, outStrides, pads.slice(0, rank).reduce((sum, p, d) => sum + p * (outStrides[d] as number), 0));
    const inStrides = stridesOf(input.dims);
    for (let i = 0; i < input.size; i++) {
      let inside = true;
      for (let d = 0; d < rank && inside; d++) {
        const c = Math.floor(i / (inStrides[d] as number)) % (input.dims[d] as number);
        const o = c + (pads[d] as number);
        inside = o >= 0 && o < (dims[d] as number);
      }
      if (inside) (out as Float32Array)[target[i] as number] = (input.data as Float32Array)[i] as number;
    }
    return [new Tensor(input.type, out, dims)];
  },
};
