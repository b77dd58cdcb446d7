import { shapeError, unsupported } from '../errors';
import { sizeOf, Tensor } from '../tensor';
import { intAttr } from './attributes';
import type { Operator } from './operator';
import { integerList, normaliseAxis, stridesOf, take, wrapIndex } from './values';

/**
 * Gather, GatherElements and ScatterND: index arithmetic into a flat index map, then one `take` (exact
 * for every type). Negative indices wrap; out-of-range ones are E_GRAPH_RUN naming the node.
 */
export const Gather: Operator = {
  since: 13,
  until: 17,
  run([x, indicesTensor], { node, where }) {
    const data = x as Tensor;
    const indices = indicesTensor as Tensor;
    const axis = normaliseAxis(intAttr(node, 'axis', 0), data.dims.length, where);
    const size = data.dims[axis] as number;
    const positions = integerList(indices, where, 'indices').map((i) => wrapIndex(i, size, where));
    const outer = sizeOf(data.dims.slice(0, axis));
    const inner = sizeOf(data.dims.slice(axis + 1));
    const dims = [...data.dims.slice(0, axis), ...indices.dims, ...data.dims.slice(axis + 1)];
    const index = new Int32Array(outer * positions.length * inner);
    let at = 0;
    for (let o = 0; o < outer; o++) for (const p of positions) for (let i = 0; i < inner; i++) index[at++] = (o * size + p) * inner + i;
    return [take(data, index, dims)];
  },
};

export const GatherElements: Operator = {
  since: 13,
  until: 17,
  run([x, indicesTensor], { node, where }) {
    const data = x as Tensor;
    const indices = indicesTensor as Tensor;
    const rank = data.dims.length;
    const axis = normaliseAxis(intAttr(node, 'axis', 0), rank, where);
    if (indices.dims.length !== rank || indices.dims.some((d, i) => i !== axis && d > (data.dims[i] as number))) {
      throw shapeError(where, 'indices do not fit the data', `rank ${rank}, dims at most [${data.dims.join(', ')}] off the axis`, `[${indices.dims.join(', ')}]`);
    }
    const values = integerList(indices, where, 'indices');
    const dataStrides = stridesOf(data.dims);
    const indexStrides = stridesOf(indices.dims);
    const index = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      let flat = 0;
      for (let d = 0; d < rank; d++) {
        const coordinate = Math.floor(i / (indexStrides[d] as number)) % (indices.dims[d] as number);
        flat += (d === axis ? wrapIndex(values[i] as number, data.dims[axis] as number, where) : coordinate) * (dataStrides[d] as number);
      }
      index[i] = flat;
    }
    return [take(data, index, indices.dims)];
  },
};

/** ScatterND without reduction: a copy of data with the slices `indices` names replaced by `updates`. */
export const ScatterND: Operator = {
  since: 13,
  until: 17,
  check(node, where) {
    const reduction = node.attributes.get('reduction');
    if (reduction && !(reduction.type === 'string' && reduction.value === 'none')) throw unsupported(where, `ScatterND reduction ${JSON.stringify(reduction.value)}`, "reduction 'none'");
  },
  run([x, indicesTensor, updatesTensor], { where }) {
    const data = x as Tensor;
    const indices = indicesTensor as Tensor;
    const updates = updatesTensor as Tensor;
    const k = indices.dims[indices.dims.length - 1] ?? 0;
    if (k > data.dims.length || updates.type !== data.type) throw shapeError(where, 'indices or updates do not fit the data', `index depth at most ${data.dims.length}, updates of ${data.type}`, `depth ${k}, ${updates.type}`);
    const slice = sizeOf(data.dims.slice(k));
    const strides = stridesOf(data.dims);
    const values = integerList(indices, where, 'indices');
    const index = Int32Array.from({ length: data.size }, (_, i) => i);
    const count = values.length / Math.max(k, 1);
    if (updates.size !== count * slice) throw shapeError(where, 'updates do not fit the indices', `${count * slice} elements`, `${updates.size}`);
    // Element i of the result reads data (index < data.size) or updates (index - data.size): one take over both.
    for (let n = 0; n < count; n++) {
      let base = 0;
      for (let d = 0; d < k; d++) base += wrapIndex(values[n * k + d] as number, data.dims[d] as number, where) * (strides[d] as number);
      for (let j = 0; j < slice; j++) index[base + j] = data.size + n * slice + j;
    }
    return [take(new Tensor(data.type, concatData(data, updates), [data.size + updates.size]), index, data.dims)];
  },
};

function concatData(a: Tensor, b: Tensor): Tensor['data'] {
  const out = new (a.data.constructor as new (n: number) => Tensor['data'])(a.size + b.size);
  (out as Float32Array).set(a.data as Float32Array);
  (out as Float32Array).set(b.data as Float32Array, a.size);
  return out;
}
