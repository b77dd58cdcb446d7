import { shapeError } from '../errors';
import type { Tensor } from '../tensor';
import { mapBroadcast } from './broadcast';
import type { Operator } from './operator';

/** Where(condition, X, Y): X where condition is true, else Y, all three broadcast together. */
export const Where: Operator = {
  since: 9,
  until: 17,
  run([condition, x, y], { where }) {
    const [c, a, b] = [condition, x, y] as [Tensor, Tensor, Tensor];
    if (c.type !== 'bool') throw shapeError(where, 'the condition is not boolean', 'a bool tensor', c.type);
    if (a.type !== b.type) throw shapeError(where, 'X and Y have different types', 'one element type', `${a.type} and ${b.type}`);
    return [mapBroadcast([c, a, b], a.type, where, (v) => (v[0] ? (v[1] as number) : (v[2] as number)))];
  },
};

/** And, Or, Xor on bool tensors, broadcast. */
function logical(f: (x: number, y: number) => boolean): Operator {
  return {
    since: 7,
    until: 17,
    run([x, y], { where }) {
      const [a, b] = [x, y] as [Tensor, Tensor];
      if (a.type !== 'bool' || b.type !== 'bool') throw shapeError(where, 'a logical operator takes bool inputs', 'bool and bool', `${a.type} and ${b.type}`);
      return [mapBroadcast([a, b], 'bool', where, (v) => (f(v[0] as number, v[1] as number) ? 1 : 0))];
    },
  };
}

export const LOGICAL: Readonly<Record<string, Operator>> = {
  And: logical((x, y) => x !== 0 && y !== 0),
  Or: logical((x, y) => x !== 0 || y !== 0),
  Xor: logical((x, y) => (x !== 0) !== (y !== 0)),
};
