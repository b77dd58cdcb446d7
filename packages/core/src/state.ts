import { ConfigError } from './errors';

/**
 * Recurrent state. Every state tensor is batch-major, `[B, ...shape]`: a hidden vector is `[B, H]`
 * (shape `[H]`), an NTM memory `[B, N, M]` (shape `[N, M]`), head weightings `[B, heads, N]`.
 *
 * A plugin declares a state either by `size` (the 1-D case, as every v1 cell does) or by `shape`;
 * `stateSpec` normalises both to a `StateSpec` carrying the shape and its element count, which is what
 * the time loop, checkpoints, the exporter (`state_in.*` / `state_out.*`) and the runtime read.
 */
export type StateDeclaration =
  | { readonly name: string; readonly size: number; readonly shape?: undefined }
  | { readonly name: string; readonly shape: readonly number[]; readonly size?: undefined };

/** A normalised state: per-sequence `shape` (the tensor is `[B, ...shape]`) and `size`, its element count. */
export interface StateSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** Elements per sequence: the product of `shape` (for a 1-D state, its size). */
  readonly size: number;
}

function positive(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

/** Normalises a declaration (`{ name, size }` or `{ name, shape }`), checking every dimension; `name` may be re-qualified. */
export function stateSpec(declaration: StateDeclaration | StateSpec, where: string, name = declaration.name): StateSpec {
  const shape = declaration.shape ?? (declaration.size !== undefined ? [declaration.size] : undefined);
  if (!shape || shape.length === 0 || !shape.every(positive)) {
    throw new ConfigError(`state ${JSON.stringify(declaration.name)} has no valid shape`, {
      where,
      expected: 'a state declared as { name, size: n } or { name, shape: [n, ...] } with integers >= 1',
      got: JSON.stringify({ size: declaration.size, shape: declaration.shape }),
      fix: "return sizes that are positive integers from the plugin's state()",
    });
  }
  return Object.freeze({ name, shape: Object.freeze([...shape]), size: shape.reduce((a, b) => a * b, 1) });
}

/** The full tensor shape of a state for a batch: `[B, ...shape]`. */
export function stateTensorShape(state: StateSpec, batch: number): number[] {
  return [batch, ...state.shape];
}
