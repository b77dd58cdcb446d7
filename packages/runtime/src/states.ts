import { describeValue, RuntimeError } from './errors';
import type { UnfoldState } from './info/unfold-info';
import { toNested } from './nested';
import { readArray, readFloat } from './values';

/**
 * Recurrent state as plain data: `{ "<path>": [batch][...shape] numbers }`, one block per sequence in the
 * state's per-sequence shape (a 1-D state of size n: `[[…n numbers], …one row per sequence]`), so a
 * client can carry it between calls and any server instance can continue a stream. Values are in the
 * model's own (normalised) units.
 */
export type StateTensor = number[][] | StateTensor[];
export type ReadonlyStateTensor = readonly (readonly number[])[] | readonly ReadonlyStateTensor[];
export type StateMap = Readonly<Record<string, ReadonlyStateTensor>>;

/** A state fed to the model: `rows` is the batch size, or 1 for one block shared by every sequence. */
export interface PackedState {
  readonly rows: number;
  readonly data: Float32Array;
}

/** `[2][3]`: a shape as the nesting a client writes. */
function nesting(shape: readonly number[]): string {
  return shape.map((d) => `[${d}]`).join('');
}

/** Reads one sequence's block of `state.shape` into `into` at `offset`, naming expected and got shapes. */
function readBlock(value: unknown, state: UnfoldState, into: Float32Array, offset: number, at: string): void {
  const shape = state.shape;
  const walk = (node: unknown, axis: number, index: number, path: string): void => {
    const size = shape[axis] as number;
    const rest = shape.slice(axis + 1);
    const items = readArray(node, path, rest.length === 0 ? `an array of ${size} numbers` : `an array of ${size} arrays (per-sequence shape [${shape.join(', ')}])`);
    if (items.length !== size) {
      const summary = shape.length === 1 ? 'a state row has the wrong size' : 'a state has the wrong shape';
      const expected = shape.length === 1 ? `${size} numbers` : `${size} entries on axis ${axis + 1} of [batch, ${shape.join(', ')}]`;
      throw new RuntimeError('E_SHAPE', summary, { where: path, expected, got: `${items.length}` });
    }
    items.forEach((item, i) => {
      if (rest.length === 0) into[index * size + i] = readFloat(item, `${path}[${i}]`);
      else walk(item, axis + 1, index * size + i, `${path}[${i}]`);
    });
  };
  walk(value, 0, offset / state.size, at);
}

/** Packs a request's state for each of the model's states; undefined or null means zeros for all. */
export function packStates(value: unknown, states: readonly UnfoldState[], batch: number, where: string): PackedState[] {
  if (value === undefined || value === null) return states.map((s) => ({ rows: 1, data: new Float32Array(s.size) }));
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new RuntimeError('E_REQUEST', 'state must be an object of state paths', { where, expected: `{ ${states.map((s) => `"${s.path}": [${s.shape.length === 1 ? `[…${s.size} numbers]` : nesting(s.shape)}]`).join(', ')} }`, got: describeValue(value) });
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
      throw new RuntimeError('E_REQUEST', 'a state is missing', { where: at, expected: `[${batch}]${nesting(state.shape)} numbers (every state the model has)`, got: 'nothing', fix: 'send every state a previous call returned, or no state at all to start fresh' });
    }
    const rows = readArray(given[state.path], at, state.shape.length === 1 ? `an array of ${batch} rows of ${state.size} numbers` : `an array of ${batch} blocks of ${nesting(state.shape)} numbers`);
    if (rows.length !== batch && rows.length !== 1) {
      throw new RuntimeError('E_SHAPE', 'a state has the wrong number of rows', { where: at, expected: `${batch} rows (one per sequence) or 1 row shared by all`, got: `${rows.length} rows` });
    }
    const data = new Float32Array(rows.length * state.size);
    rows.forEach((row, r) => readBlock(row, state, data, r * state.size, `${at}[${r}]`));
    return { rows: rows.length, data };
  });
}

/** [rows × size] float data of a state as nested [rows][...shape] plain numbers. */
export function stateToNested(data: ArrayLike<number>, rows: number, state: UnfoldState): StateTensor {
  return toNested(data, [rows, ...state.shape]) as StateTensor;
}

/** Every state of a batch as the `{ path: nested }` object a call returns. */
export function statesToJson(states: readonly UnfoldState[], values: readonly ArrayLike<number>[], rows: number): Record<string, StateTensor> {
  return Object.fromEntries(states.map((s, i) => [s.path, stateToNested(values[i] as ArrayLike<number>, rows, s)]));
}
