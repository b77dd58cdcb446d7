import { shapeError, unsupported } from '../errors';
import { allocate, sizeOf, Tensor } from '../tensor';
import type { Attribute } from '../model/graph';
import { tensorAttr } from './attributes';
import type { Operator } from './operator';
import { fromNumbers, integerList, scalar } from './values';

/** The operators that make tensors from attributes or scalars: Constant, ConstantOfShape, Range. */
export const Constant: Operator = {
  since: 13,
  until: 17,
  check(node, where) {
    const [name] = [...node.attributes.keys()];
    if (node.attributes.size !== 1 || !name || !['value', 'value_float', 'value_floats', 'value_int', 'value_ints'].includes(name)) {
      throw unsupported(where, `Constant with attributes ${[...node.attributes.keys()].join(', ') || 'none'}`, 'one of value, value_float(s), value_int(s)');
    }
  },
  run(_, { node }) {
    const [name, attribute] = [...node.attributes.entries()][0] as [string, Attribute];
    const value = attribute.value;
    if (attribute.type === 'tensor') return [attribute.value];
    const list = typeof value === 'number' ? [value] : (value as number[]);
    const dims = typeof value === 'number' ? [] : [list.length];
    return [fromNumbers(name.startsWith('value_int') ? 'int64' : 'float32', list, dims)];
  },
};

/** ConstantOfShape: `value` (one element, float32 0 by default) repeated over the given shape. */
export const ConstantOfShape: Operator = {
  since: 9,
  until: 17,
  run([shape], { node, where }) {
    const dims = integerList(shape, where, 'the shape');
    if (dims.some((d) => d < 0)) throw shapeError(where, 'a negative dim', 'dims ≥ 0', `[${dims.join(', ')}]`);
    const value = tensorAttr(node, 'value') ?? new Tensor('float32', new Float32Array(1), [1]);
    const out = allocate(value.type, sizeOf(dims));
    (out as Float32Array).fill((value.data as Float32Array)[0] as number);
    return [new Tensor(value.type, out, dims)];
  },
};

/** Range(start, limit, delta): max(ceil((limit − start) / delta), 0) values, of start's type. */
export const Range: Operator = {
  since: 11,
  until: 17,
  run([start, limit, delta], { where }) {
    const [s, l, d] = [scalar(start, where, 'start'), scalar(limit, where, 'limit'), scalar(delta, where, 'delta')];
    if (d === 0) throw shapeError(where, 'Range with delta 0', 'a non-zero delta', '0');
    const count = Math.max(Math.ceil((l - s) / d), 0);
    return [fromNumbers((start as Tensor).type, Array.from({ length: count }, (_, i) => s + i * d), [count])];
  },
};
