import { shapeError } from '../errors';
import { sizeOf, Tensor } from '../tensor';
import { hasAttr, intAttr, intsAttr } from './attributes';
import type { Operator } from './operator';
import { fromNumbers, integerList, normaliseAxis, numbers } from './values';

/**
 * The reductions and ArgMax/ArgMin. ReduceSum takes its axes as an input (opset 13), the others as an
 * attribute (until opset 17); no axes reduces every axis unless noop_with_empty_axes. keepdims keeps the
 * reduced dims as 1. A reduction over no elements gives the operation's identity (0 for sum, 1 for prod,
 * ±Infinity for min and max).
 */
interface Reduction {
  readonly start: number;
  readonly step: (acc: number, x: number) => number;
  readonly end?: (acc: number, count: number) => number;
}

const REDUCTIONS: Readonly<Record<string, Reduction>> = {
  ReduceSum: { start: 0, step: (a, x) => a + x },
  ReduceMean: { start: 0, step: (a, x) => a + x, end: (a, n) => a / n },
  ReduceProd: { start: 1, step: (a, x) => a * x },
  ReduceMax: { start: -Infinity, step: (a, x) => (Number.isNaN(x) || x > a ? x : a) },
  ReduceMin: { start: Infinity, step: (a, x) => (Number.isNaN(x) || x < a ? x : a) },
};

/** For an input of `dims` reduced over `axes`: the output index of every input element, and the output dims. */
function reductionMap(dims: readonly number[], axes: readonly number[], keepDims: boolean): { index: Int32Array; kept: number[]; outDims: number[] } {
  const kept = dims.map((d, i) => (axes.includes(i) ? 1 : d));
  const index = new Int32Array(sizeOf(dims));
  const rank = dims.length;
  const counter = new Array<number>(rank).fill(0);
  const keptStrides = new Array<number>(rank);
  for (let d = rank - 1, s = 1; d >= 0; d--) {
    keptStrides[d] = axes.includes(d) ? 0 : s;
    s *= kept[d] as number;
  }
  for (let i = 0; i < index.length; i++) {
    let at = 0;
    for (let d = 0; d < rank; d++) at += (counter[d] as number) * (keptStrides[d] as number);
    index[i] = at;
    for (let d = rank - 1; d >= 0; d--) {
      if (++counter[d]! < (dims[d] as number)) break;
      counter[d] = 0;
    }
  }
  return { index, kept, outDims: keepDims ? kept : dims.filter((_, i) => !axes.includes(i)) };
}

function reduce(name: string, axesAsInput: boolean): Operator {
  const reduction = REDUCTIONS[name] as Reduction;
  return {
    since: 13,
    until: 17,
    run([x, axesTensor], { node, where }) {
      const input = x as Tensor;
      const rank = input.dims.length;
      const listed = axesAsInput ? integerList(axesTensor, where, 'axes') : hasAttr(node, 'axes') ? [...intsAttr(node, 'axes')] : [];
      if (listed.length === 0 && intAttr(node, 'noop_with_empty_axes', 0) === 1) return [input];
      const axes = listed.length === 0 ? input.dims.map((_, i) => i) : listed.map((a) => normaliseAxis(a, rank, where));
      const { index, kept, outDims } = reductionMap(input.dims, axes, intAttr(node, 'keepdims', 1) === 1);
      const values = numbers(input);
      const acc = new Float64Array(sizeOf(kept)).fill(reduction.start);
      for (let i = 0; i < index.length; i++) acc[index[i] as number] = reduction.step(acc[index[i] as number] as number, values[i] as number);
      const count = sizeOf(axes.map((a) => input.dims[a] as number));
      if (reduction.end) for (let i = 0; i < acc.length; i++) acc[i] = reduction.end(acc[i] as number, count);
      return [fromNumbers(input.type, acc, outDims)];
    },
  };
}

export const REDUCE: Readonly<Record<string, Operator>> = {
  ReduceSum: reduce('ReduceSum', true),
  ReduceMean: reduce('ReduceMean', false),
  ReduceProd: reduce('ReduceProd', false),
  ReduceMax: reduce('ReduceMax', false),
  ReduceMin: reduce('ReduceMin', false),
};

/** ArgMax/ArgMin over one axis, int64 indices; ties go to the first (or, with select_last_index, the last). */
function argExtreme(better: (x: number, best: number) => boolean): Operator {
  return {
    since: 13,
    until: 17,
    run([x], { node, where }) {
      const input = x as Tensor;
      const axis = normaliseAxis(intAttr(node, 'axis', 0), input.dims.length, where);
      const size = input.dims[axis] as number;
      if (size === 0) throw shapeError(where, 'an arg reduction over an empty axis', 'a non-empty axis', '0');
      const last = intAttr(node, 'select_last_index', 0) === 1;
      const outer = sizeOf(input.dims.slice(0, axis));
      const inner = sizeOf(input.dims.slice(axis + 1));
      const values = numbers(input);
      const out = new Float64Array(outer * inner);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          let best = 0;
          for (let s = 1; s < size; s++) {
            const v = values[(o * size + s) * inner + i] as number;
            const b = values[(o * size + best) * inner + i] as number;
            if (better(v, b) || (last && v === b)) best = s;
          }
          out[o * inner + i] = best;
        }
      }
      const dims = intAttr(node, 'keepdims', 1) === 1 ? input.dims.map((d, i) => (i === axis ? 1 : d)) : input.dims.filter((_, i) => i !== axis);
      return [fromNumbers('int64', out, dims)];
    },
  };
}

export const ArgMax = argExtreme((x, best) => x > best);
export const ArgMin = argExtreme((x, best) => x < best);
