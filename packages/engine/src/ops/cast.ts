import { TENSOR_TYPES, type Tensor, type TensorType } from '../tensor';
import { unsupported } from '../errors';
import { intAttr } from './attributes';
import type { Operator } from './operator';
import { fromNumbers, numbers } from './values';

/**
 * Cast to float32, int32, int64 or bool: float to integer truncates toward zero, to bool is x ≠ 0, and
 * int64 beyond ±2⁵³ rounds (the engine's int64 arithmetic is exact within that). Checked at load: `to`
 * must be a type the engine computes in.
 */
const BY_NUMBER = new Map(Object.entries(TENSOR_TYPES).map(([name, number]) => [number, name as TensorType]));

export const Cast: Operator = {
  since: 13,
  until: 17,
  check(node, where) {
    const to = intAttr(node, 'to');
    if (!BY_NUMBER.has(to)) throw unsupported(where, `Cast to ONNX data type ${to}`, 'to float32 (1), int32 (6), int64 (7) or bool (9)');
  },
  run([x], { node }) {
    const input = x as Tensor;
    const type = BY_NUMBER.get(intAttr(node, 'to')) as TensorType;
    if (type === input.type) return [input]; // tensors are never written after they are made
    return [fromNumbers(type, numbers(input), input.dims)];
  },
};
