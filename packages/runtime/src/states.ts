import { describeValue, RuntimeError } from './errors';
import type { UnfoldState } from './unfold-info';
import { readArray, readFloat } from './values';

/**
 * Recurrent state as plain data: `{ "<path>": [[…size numbers…], …one row per sequence] }`, so a
 * client can carry it between calls and any server instance can continue a stream. Values are in the
 * model's own (normalised) units.
 */
export type StateMap = Readonly<Record<string, readonly (readonly number[])[]>>;

/** A state fed to the model: `rows` is the batch size, or 1 for one row shared by every sequence. */
export interface PackedState {
  readonly rows: number;
  readonly data: Float32Array;
}

/** Packs a request's state for each of the model's states; undefined or null means zeros for all. */
export function packStates(value: unknown, states: readonly UnfoldState[], batch: number, where: string): PackedState[] {
  if (value === undefined || value === null) return states.map((s) => ({ rows: 1, data: new Float32Array(s.size) }));
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new RuntimeError('E_REQUEST', 'state must be an object of state paths', { where, expected: `{ ${states.map((s) => `"${s.path}": [[…${s.size} numbers]]`).join(', ')} }`, got: describeValue(value) });
  }
  const given = value as Record<string, unknown>;
  const known = new Set(states.map((s) => s.path));
  const unknown = Object.keys(given).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw new RuntimeError('E_REQUEST', 'unknown state path', { where: `${where}.${unknown[0]}`, expected: `one of ${[...known].map((k) => JSON.stringify(k)).join(', ')}`, got: JSON.stringify(unknown[0]), fix: 'send back the state object a previous call returned, unchanged' });
  }
  return states.map((state) => {
    const at = `${where}["${state.path}"]`;
    if (!(state.path in given)) {
      throw new RuntimeError('E_REQUEST', 'a state is missing', { where: at, expected: `[${batch}][${state.size}] numbers (every state the model has)`, got: 'nothing', fix: 'send every state a previous call returned, or no state at all to start fresh' });
    }
    const rows = readArray(given[state.path], at, `an array of ${batch} rows of ${state.size} numbers`);
    if (rows.length !== batch && rows.length !== 1) {
      throw new RuntimeError('E_SHAPE', 'a state has the wrong number of rows', { where: at, expected: `${batch} rows (one per sequence) or 1 row shared by all`, got: `${rows.length} rows` });
    }
    const data = new Float32Array(rows.length * state.size);
    rows.forEach((row, r) => {
      const values = readArray(row, `${at}[${r}]`, `an array of ${state.size} numbers`);
      if (values.length !== state.size) throw new RuntimeError('E_SHAPE', 'a state row has the wrong size', { where: `${at}[${r}]`, expected: `${state.size} numbers`, got: `${values.length}` });
      values.forEach((v, i) => (data[r * state.size + i] = readFloat(v, `${at}[${r}][${i}]`)));
    });
    return { rows: rows.length, data };
  });
}

/** [rows × size] float data as nested rows of plain numbers. */
export function toRows(data: ArrayLike<number>, rows: number, size: number): number[][] {
  return Array.from({ length: rows }, (_, r) => Array.from({ length: size }, (_, i) => data[r * size + i] as number));
}
