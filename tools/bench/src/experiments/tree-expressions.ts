// Arithmetic expression trees (digits 0–9, +, −, × mod 10) shared by the tree experiments (tree-lstm,
// tree-speed); a module, not an experiment of its own.
import type { TreeJson } from '@unfold/architectures';
import { Rng } from '@unfold/core';

export const OPS = ['+', '-', '*'] as const;

export interface Expr {
  tree: TreeJson;
  text: string;
  value: number;
}

/** An expression of height exactly `depth` (a digit at 0): one child carries the depth, the other is random. */
export function expression(rng: Rng, depth: number): Expr {
  if (depth === 0) {
    const d = rng.int(10);
    return { tree: { token: String(d) }, text: String(d), value: d };
  }
  const deep = expression(rng, depth - 1);
  const other = expression(rng, rng.int(depth));
  const [a, b] = rng.uniform() < 0.5 ? [deep, other] : [other, deep];
  const op = OPS[rng.int(3)] as (typeof OPS)[number];
  const value = op === '+' ? (a.value + b.value) % 10 : op === '-' ? (a.value - b.value + 10) % 10 : (a.value * b.value) % 10;
  return { tree: { token: op, children: [a.tree, b.tree], label: value }, text: `(${op} ${a.text} ${b.text})`, value };
}

/** `count` expressions of heights uniform in [low, high]. */
export function dataset(rng: Rng, count: number, low: number, high: number): Expr[] {
  return Array.from({ length: count }, () => expression(rng, low + rng.int(high - low + 1)));
}

/** Token ids of the tree models: digits 0–9, then +, −, ×. */
export const treeIds = new Map([...'0123456789'].map((d, i) => [d, i] as [string, number]).concat(OPS.map((op, i) => [op, 10 + i] as [string, number])));

/** The N-ary (N = 2) Tree-LSTM of the experiments: embedding 32, hidden H, 10 classes. */
export const treeSpec = (H: number) => ({ kind: 'recursive', children: { embedding: { kind: 'embedding', config: { vocabularySize: 13, embeddingSize: 32 } }, cell: { kind: 'nary-tree-lstm', config: { inputSize: 32, hiddenSize: H, arity: 2 } }, head: { kind: 'dense', config: { inputSize: H, outputSize: 10 } } } });
