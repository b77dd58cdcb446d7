import { Rng } from '@unfold/core';
import type { TreeJson } from '../../src/index';

/** A seeded generator for the tree tests (core's Rng). */
export function random(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.uniform();
}

/**
 * A random tree of `size` nodes, arity 0..maxArity, mixed depths: each new node hangs under a random
 * node with room, half of the time one of the newest (deep chains), else any (bushy).
 */
export function randomTree(rand: () => number, size: number, inputSize: number, maxArity = 4): TreeJson {
  type Mutable = { features: number[]; children: Mutable[] };
  const make = (): Mutable => ({ features: Array.from({ length: inputSize }, () => Math.fround(rand() * 2 - 1)), children: [] });
  const nodes: Mutable[] = [make()];
  for (let i = 1; i < size; i++) {
    const open = nodes.filter((n) => n.children.length < maxArity);
    const pool = rand() < 0.5 ? open.slice(-3) : open;
    const parent = pool[Math.floor(rand() * pool.length)] as Mutable;
    const node = make();
    parent.children.push(node);
    nodes.push(node);
  }
  return nodes[0] as TreeJson;
}

export function randomForest(rand: () => number, inputSize: number, maxArity = 4, maxTrees = 6): TreeJson[] {
  const count = 1 + Math.floor(rand() * maxTrees);
  return Array.from({ length: count }, () => randomTree(rand, 1 + Math.floor(rand() * 60), inputSize, maxArity));
}

export type Weights = Record<string, Float64Array>;
export interface NodeStates {
  h: number[];
  c: number[];
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** rows [start, start + count) of W [·, columns] times v. */
function rowsTimes(W: Float64Array, columns: number, start: number, count: number, v: readonly number[]): number[] {
  return Array.from({ length: count }, (_, r) => {
    let s = 0;
    for (let j = 0; j < columns; j++) s += (W[(start + r) * columns + j] as number) * (v[j] as number);
    return s;
  });
}

/** One node in float64, by the equations of cells.ts written out element by element. */
export function referenceNode(kind: string, w: Weights, x: readonly number[], kids: readonly NodeStates[], H: number, N: number): NodeStates {
  const I = x.length;
  const W = w.W as Float64Array;
  const U = w.U as Float64Array;
  const b = w.b as Float64Array;
  const add = (...vs: number[][]): number[] => (vs[0] as number[]).map((_, j) => vs.reduce((s, v) => s + (v[j] as number), 0));
  const hSum = kids.reduce((s, k) => add(s, k.h), new Array<number>(H).fill(0));
  if (kind === 'tree-rnn') {
    const pre = add(rowsTimes(W, I, 0, H, x), rowsTimes(U, H, 0, H, hSum), Array.from(b));
    return { h: pre.map(Math.tanh), c: [] };
  }
  let pre: number[];
  let forget: number[][];
  if (kind === 'child-sum-tree-lstm') {
    pre = add(rowsTimes(W, I, 0, 3 * H, x), rowsTimes(U, H, 0, 3 * H, hSum), Array.from(b.subarray(0, 3 * H)));
    const fx = add(rowsTimes(W, I, 3 * H, H, x), Array.from(b.subarray(3 * H)));
    forget = kids.map((k) => add(fx, rowsTimes(U, H, 3 * H, H, k.h)).map(sigmoid));
  } else {
    const padded = Array.from({ length: N }, (_, k) => kids[k] ?? { h: new Array<number>(H).fill(0), c: new Array<number>(H).fill(0) });
    const hCat = padded.flatMap((k) => k.h);
    pre = add(rowsTimes(W, I, 0, (3 + N) * H, x), rowsTimes(U, N * H, 0, (3 + N) * H, hCat), Array.from(b));
    forget = padded.map((_, k) => pre.slice((3 + k) * H, (4 + k) * H).map(sigmoid)).slice(0, kids.length);
  }
  const c = Array.from({ length: H }, (_, j) => {
    let v = sigmoid(pre[j] as number) * Math.tanh(pre[2 * H + j] as number);
    kids.forEach((k, m) => (v += ((forget[m] as number[])[j] as number) * (k.c[j] as number)));
    return v;
  });
  return { h: c.map((v, j) => sigmoid(pre[H + j] as number) * Math.tanh(v)), c };
}

/** Every node of a JSON forest in post-order (the flattening's node order), float64. */
export function referenceForest(kind: string, w: Weights, trees: readonly TreeJson[], H: number, N: number): NodeStates[] {
  const out: NodeStates[] = [];
  const visit = (tree: TreeJson): NodeStates => {
    const kids = (tree.children ?? []).map(visit);
    const states = referenceNode(kind, w, tree.features as number[], kids, H, N);
    out.push(states);
    return states;
  };
  trees.forEach(visit);
  return out;
}
