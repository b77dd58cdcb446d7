import { Rng } from '@unfold/core';

/**
 * Text-to-text tasks for encoder–decoder models, as source/target strings (encode them with
 * `encodeTextPairs`). Seeded: the same options give the same pairs.
 *
 *   reversal  a random string of `alphabet` symbols, lengths uniform in [minLength, maxLength] → the string reversed
 *   addition  "a+b" with a, b uniform in [0, 10^digits) → their sum, in decimal   ("123+45" → "168");
 *             `zeroPadded`: every operand with `digits` digits and the sum with digits + 1 ("123+045" → "0168")
 */
export interface TextPairs {
  readonly sources: string[];
  readonly targets: string[];
}

export interface ReversalOptions {
  readonly count: number;
  readonly minLength: number;
  readonly maxLength: number;
  /** Default the 10 letters a–j. */
  readonly alphabet?: string;
  readonly seed?: number;
}

export function reversalTask(options: ReversalOptions): TextPairs {
  const rng = new Rng(options.seed ?? 0).fork('reversal');
  const alphabet = Array.from(options.alphabet ?? 'abcdefghij');
  const sources: string[] = [];
  for (let n = 0; n < options.count; n++) {
    const length = options.minLength + Math.floor(rng.uniform() * (options.maxLength - options.minLength + 1));
    sources.push(Array.from({ length }, () => alphabet[Math.floor(rng.uniform() * alphabet.length)]).join(''));
  }
  return { sources, targets: sources.map((s) => Array.from(s).reverse().join('')) };
}

export interface AdditionOptions {
  readonly count: number;
  /** Digits of each operand at most (default 3). */
  readonly digits?: number;
  /** Write operands and sum with leading zeros to a fixed width (default false). */
  readonly zeroPadded?: boolean;
  readonly seed?: number;
}

export function additionTask(options: AdditionOptions): TextPairs {
  const rng = new Rng(options.seed ?? 0).fork('addition');
  const limit = 10 ** (options.digits ?? 3);
  const sources: string[] = [];
  const targets: string[] = [];
  for (let n = 0; n < options.count; n++) {
    const a = Math.floor(rng.uniform() * limit);
    const b = Math.floor(rng.uniform() * limit);
    const digits = options.digits ?? 3;
    const write = (n: number, width: number) => (options.zeroPadded ? String(n).padStart(width, '0') : String(n));
    sources.push(`${write(a, digits)}+${write(b, digits)}`);
    targets.push(write(a + b, digits + 1));
  }
  return { sources, targets };
}

/** The share of outputs equal to their targets. */
export function exactMatch(outputs: readonly string[], targets: readonly string[]): number {
  if (outputs.length === 0) return 0;
  return outputs.reduce((hits, output, i) => hits + (output === targets[i] ? 1 : 0), 0) / outputs.length;
}
