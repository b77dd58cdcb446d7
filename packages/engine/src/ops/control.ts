import type { GraphValue } from '@unfold/runtime/proto';
import { shapeError } from '../errors';
import type { Graph } from '../model/graph';
import { allocate, sizeOf, Tensor, type TensorType } from '../tensor';
import { graphAttr, hasAttr, intAttr, intsAttr } from './attributes';
import type { Operator } from './operator';
import { scalar, strided, stridesOf } from './values';

/**
 * Scan, Loop and If: the bodies were planned once at load; each iteration runs the planned body
 * (ctx.runBody) with the carried values and this iteration's slices.
 */
const TYPES: Readonly<Record<string, TensorType>> = { float32: 'float32', int32: 'int32', int64: 'int64', bool: 'bool' };

/** Moves `axis` to the front (a copy), so that slice t along it is contiguous. */
function axisFirst(t: Tensor, axis: number): Tensor {
  if (axis === 0) return t;
  const perm = [axis, ...t.dims.map((_, i) => i).filter((i) => i !== axis)];
  const strides = stridesOf(t.dims);
  const dims = perm.map((p) => t.dims[p] as number);
  return strided(t, dims, perm.map((p) => strides[p] as number));
}

/** Moves the front axis to `axis` (the inverse of axisFirst). */
function frontTo(t: Tensor, axis: number): Tensor {
  if (axis === 0) return t;
  const perm = t.dims.map((_, i) => (i < axis ? i + 1 : i === axis ? 0 : i));
  const strides = stridesOf(t.dims);
  const dims = perm.map((p) => t.dims[p] as number);
  return strided(t, dims, perm.map((p) => strides[p] as number));
}

/** Slice t of a tensor along its first axis: a view. */
function row(t: Tensor, index: number): Tensor {
  const inner = sizeOf(t.dims.slice(1));
  return new Tensor(t.type, t.data.subarray(index * inner, (index + 1) * inner), t.dims.slice(1));
}

/**
 * Per-iteration values stacked along a new first axis. With no iterations, the body's declared output
 * (its fixed dims; symbolic or unknown dims as 0) gives the element shape, as onnxruntime does.
 */
function stack(items: readonly Tensor[], declared: GraphValue | undefined, where: string): Tensor {
  const first = items[0];
  if (!first) {
    const type = TYPES[declared?.dtype ?? ''] ?? 'float32';
    const dims = [0, ...(declared?.shape ?? []).map((d) => (typeof d === 'number' ? d : 0))];
    return new Tensor(type, allocate(type, 0), dims);
  }
  const out = allocate(first.type, items.length * first.size);
  items.forEach((item, i) => {
    if (item.size !== first.size || item.type !== first.type) throw shapeError(where, 'a scan output changes shape between iterations', `${first.type} [${first.dims.join(', ')}]`, `${item.type} [${item.dims.join(', ')}]`);
    (out as Float32Array).set(item.data as Float32Array, i * first.size);
  });
  return new Tensor(first.type, out, [items.length, ...first.dims]);
}

export const Scan: Operator = {
  since: 16,
  until: 17,
  run(inputs, { node, where, runBody }) {
    const body = graphAttr(node, 'body');
    const scans = intAttr(node, 'num_scan_inputs');
    const states = inputs.length - scans;
    const list = (name: string, count: number) => (hasAttr(node, name) ? intsAttr(node, name) : new Array<number>(count).fill(0));
    const inAxes = list('scan_input_axes', scans);
    const inDirections = list('scan_input_directions', scans);
    const outputs = body.outputs.length - states;
    const outAxes = list('scan_output_axes', outputs);
    const outDirections = list('scan_output_directions', outputs);
    const sequences = inputs.slice(states).map((t, i) => {
      const tensor = t as Tensor;
      const axis = (inAxes[i] as number) < 0 ? (inAxes[i] as number) + tensor.dims.length : (inAxes[i] as number);
      return axisFirst(tensor, axis);
    });
    const length = sequences[0]?.dims[0] ?? 0;
    if (sequences.some((s) => s.dims[0] !== length)) throw shapeError(where, 'scan inputs differ in length', `every scan input ${length} long on its axis`, sequences.map((s) => s.dims[0]).join(', '));
    let carried = inputs.slice(0, states) as Tensor[];
    const collected: Tensor[][] = Array.from({ length: outputs }, () => []);
    for (let t = 0; t < length; t++) {
      const slices = sequences.map((s, i) => row(s, inDirections[i] ? length - 1 - t : t));
      const results = runBody(body, [...carried, ...slices]);
      carried = results.slice(0, states);
      results.slice(states).forEach((r, k) => collected[k]?.push(r));
    }
    const scanned = collected.map((items, k) => {
      const ordered = outDirections[k] ? [...items].reverse() : items;
      const stacked = stack(ordered, body.outputs[states + k], where);
      const axis = outAxes[k] as number;
      return frontTo(stacked, axis < 0 ? axis + stacked.dims.length : axis);
    });
    return [...carried, ...scanned];
  },
};

/** Loop(M, cond, v…): runs while i < M and cond; body (i, cond, v…) → (cond, v…, scan outputs…). */
export const Loop: Operator = {
  since: 16,
  until: 17,
  run([tripCount, condition, ...initial], { node, where, runBody }) {
    const body = graphAttr(node, 'body');
    const max = tripCount ? scalar(tripCount, where, 'M') : Infinity;
    let keepGoing = condition ? scalar(condition, where, 'cond') !== 0 : true;
    let carried = initial as Tensor[];
    const states = carried.length;
    const collected: Tensor[][] = Array.from({ length: body.outputs.length - 1 - states }, () => []);
    for (let i = 0; i < max && keepGoing; i++) {
      const iteration = new Tensor('int64', BigInt64Array.of(BigInt(i)), []);
      const results = runBody(body, [iteration, new Tensor('bool', Uint8Array.of(keepGoing ? 1 : 0), []), ...carried]);
      keepGoing = scalar(results[0], where, 'the body’s condition') !== 0;
      carried = results.slice(1, 1 + states);
      results.slice(1 + states).forEach((r, k) => collected[k]?.push(r));
    }
    return [...carried, ...collected.map((items, k) => stack(items, body.outputs[1 + states + k], where))];
  },
};

export const If: Operator = {
  since: 16,
  until: 17,
  run([condition], { node, where, runBody }) {
    const branch: Graph = graphAttr(node, scalar(condition, where, 'cond') !== 0 ? 'then_branch' : 'else_branch');
    return runBody(branch, []);
  },
};
