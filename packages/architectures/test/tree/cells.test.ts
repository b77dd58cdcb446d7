import * as tf from '@tensorflow/tfjs-core';
import { bindNode, createRegistry, defineConfig, deserializeModel, field, initWeights, resolveModel, serializeModel, setupBackend, type ModelSpec, type WeightMap } from '@unfold/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateForest, evaluateNodeByNode, flattenForest, heads, layers, runTree, treeCellFamily, treeCells, treeValue, type TreeCellPlugin, type TreeJson } from '../../src/index';
import { random, randomForest, referenceForest, type NodeStates, type Weights } from './reference';

beforeAll(() => setupBackend());

const I = 3;
const H = 4;
const N = 4;
const registry = createRegistry([...layers, ...heads, ...treeCells]);

function spec(kind: string): ModelSpec {
  return { kind: 'recursive', children: { cell: { kind, config: kind === 'nary-tree-lstm' ? { inputSize: I, hiddenSize: H, arity: N } : { inputSize: I, hiddenSize: H } } } };
}

function cellWeights(weights: WeightMap): Weights {
  return Object.fromEntries(['W', 'U', 'b'].map((name) => [name, Float64Array.from((weights[`cell.${name}`] as { data: Float32Array }).data)]));
}

/** Runs the model over a forest; returns every node's h (and c) as arrays. */
function runModel(kind: string, weights: WeightMap, trees: readonly TreeJson[]): { h: number[][]; c: number[][] } {
  return tf.tidy(() => {
    const root = resolveModel(registry, spec(kind));
    const tensors = Object.fromEntries(Object.entries(weights).map(([k, w]) => [k, tf.tensor(w.data, [...w.shape])]));
    const value = treeValue(flattenForest(trees), { featureSize: I });
    const result = runTree(bindNode(root, tensors), value);
    return { h: result.states[0]?.arraySync() as number[][], c: (result.states[1]?.arraySync() ?? []) as number[][] };
  });
}

function expectClose(actual: readonly number[], expected: readonly number[], tolerance: number, what: string): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, j) => {
    const e = expected[j] as number;
    if (!(Math.abs(a - e) <= tolerance * Math.max(1, Math.abs(e)))) throw new Error(`${what}[${j}]: ${a} vs ${e}`);
  });
}

describe.each(['tree-rnn', 'child-sum-tree-lstm', 'nary-tree-lstm'])('%s', (kind) => {
  it('equals a float64 node-by-node reference on random forests (1–60 nodes, arity 0–4)', () => {
    let nodes = 0;
    let worst = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const rand = random(seed);
      const trees = randomForest(rand, I);
      const weights = initWeights(resolveModel(registry, spec(kind)), seed);
      const got = runModel(kind, weights, trees);
      const want = referenceForest(kind, cellWeights(weights), trees, H, N);
      want.forEach((s: NodeStates, n) => {
        expectClose(got.h[n] as number[], s.h, 1e-6, `seed ${seed} node ${n} h`);
        if (s.c.length) expectClose(got.c[n] as number[], s.c, 1e-6, `seed ${seed} node ${n} c`);
        s.h.forEach((v, j) => (worst = Math.max(worst, Math.abs(((got.h[n] as number[])[j] as number) - v))));
      });
      nodes += want.length;
    }
    expect(nodes).toBeGreaterThan(50);
    expect(worst).toBeLessThan(1e-6);
  });

  it('batched by height equals node by node', () => {
    const trees = randomForest(random(11), I);
    const root = resolveModel(registry, spec(kind));
    const weights = initWeights(root, 3);
    tf.tidy(() => {
      const tensors = Object.fromEntries(Object.entries(weights).map(([k, w]) => [k, tf.tensor(w.data, [...w.shape])]));
      const value = treeValue(flattenForest(trees), { featureSize: I });
      const cell = bindNode(root, tensors).child('cell');
      const arity = (cell.node.plugin as TreeCellPlugin).arity?.(cell.node.config) ?? value.arity;
      const batched = evaluateForest(cell, value.nodes as tf.Tensor2D, value, arity);
      const single = evaluateNodeByNode(cell, value.nodes as tf.Tensor2D, value, arity);
      batched.forEach((b, s) => expect(tf.max(tf.abs(tf.sub(b, single[s] as tf.Tensor))).dataSync()[0]).toBeLessThan(1e-6));
    });
  });

  it('autodiff gradients pass the finite-difference check (float64 reference)', () => {
    const rand = random(21);
    const trees = randomForest(rand, I, 4, 3);
    const root = resolveModel(registry, spec(kind));
    const weights = initWeights(root, 5);
    const count = referenceForest(kind, cellWeights(weights), trees, H, N).length;
    const r = Array.from({ length: count * H }, () => Math.fround(rand() * 2 - 1));
    // L = Σ_n Σ_j r[n, j] h[n, j] + ½ Σ c²
    const lossRef = (w: Weights): number => referenceForest(kind, w, trees, H, N).reduce((s, st, n) => s + st.h.reduce((a, v, j) => a + (r[n * H + j] as number) * v, 0) + 0.5 * st.c.reduce((a, v) => a + v * v, 0), 0);
    const grads = tf.tidy(() => {
      const vars = Object.fromEntries(Object.entries(weights).map(([k, w]) => [k, tf.variable(tf.tensor(w.data, [...w.shape]), true, `${kind}.${k}.${Math.random()}`)]));
      const value = treeValue(flattenForest(trees), { featureSize: I });
      const { grads: g } = tf.variableGrads(() => {
        const states = runTree(bindNode(root, vars), value).states;
        const hTerm = tf.sum(tf.mul(states[0] as tf.Tensor, tf.tensor2d(r, [count, H])));
        return (states[1] ? tf.add(hTerm, tf.mul(0.5, tf.sum(tf.square(states[1])))) : hTerm) as tf.Scalar;
      }, Object.values(vars));
      const out = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, Array.from((g[v.name] as tf.Tensor).dataSync())]));
      Object.values(vars).forEach((v) => v.dispose());
      return out;
    });
    const base = cellWeights(weights);
    const eps = 1e-6;
    let checked = 0;
    for (const name of ['W', 'U', 'b']) {
      const w = base[name] as Float64Array;
      for (let t = 0; t < 12; t++) {
        const j = Math.floor(rand() * w.length);
        const plus = { ...base, [name]: Float64Array.from(w) };
        const minus = { ...base, [name]: Float64Array.from(w) };
        (plus[name] as Float64Array)[j] = (w[j] as number) + eps;
        (minus[name] as Float64Array)[j] = (w[j] as number) - eps;
        const fd = (lossRef(plus) - lossRef(minus)) / (2 * eps);
        const auto = (grads[`cell.${name}`] as number[])[j] as number;
        if (!(Math.abs(auto - fd) <= 1e-3 + 1e-3 * Math.abs(fd))) throw new Error(`${name}[${j}]: autodiff ${auto} vs finite difference ${fd}`);
        checked += 1;
      }
    }
    expect(checked).toBe(36);
  });

  it('saves and loads: the same outputs after the round trip', () => {
    const trees = randomForest(random(31), I);
    const weights = initWeights(resolveModel(registry, spec(kind)), 9);
    const copy = deserializeModel(registry, serializeModel(registry, { spec: spec(kind), weights }));
    expect(runModel(kind, copy.weights, trees)).toEqual(runModel(kind, weights, trees));
  });
});

describe('a third-party tree cell', () => {
  // h = tanh(W x) + mean of the children's h: a tree cell of another package, defined on the family.
  const meanCell = treeCellFamily.define<TreeCellPlugin<'acme/mean-tree', { inputSize: number; hiddenSize: number }>>({
    kind: 'acme/mean-tree',
    meta: { package: 'acme-trees', version: '1.0.0' },
    schemaVersion: 1,
    summary: 'h = tanh(W x) + mean of the children h',
    config: defineConfig({ inputSize: field.int({ doc: 'I', min: 1 }), hiddenSize: field.int({ doc: 'H', min: 1 }) }),
    inputSize: (c) => c.inputSize,
    hiddenSize: (c) => c.hiddenSize,
    states: () => ['h'],
    parameters: (c) => [{ name: 'W', shape: [c.hiddenSize, c.inputSize], init: () => Float32Array.from({ length: c.hiddenSize * c.inputSize }, (_, i) => (i % 3) - 1) }],
    apply: (params, x, children) => [tf.add(tf.tanh(tf.matMul(x, params.W as tf.Tensor2D, false, true)), tf.mean(children[0] as tf.Tensor3D, 1)) as tf.Tensor2D],
  });

  it('plugs in through the registry and runs in the tree layer', () => {
    const plugins = createRegistry([...layers, ...heads, meanCell]);
    const root = resolveModel(plugins, { kind: 'recursive', children: { cell: { kind: 'acme/mean-tree', config: { inputSize: 1, hiddenSize: 1 } } } });
    const weights = initWeights(root, 1); // W = [[-1]]
    const h = tf.tidy(() => {
      const value = treeValue(flattenForest([{ features: [0], children: [{ features: [1] }, { features: [2] }] }]), { featureSize: 1 });
      return runTree(bindNode(root, { 'cell.W': tf.tensor(weights['cell.W']?.data as Float32Array, [1, 1]) }), value).roots.arraySync() as number[][];
    });
    expect(h[0]?.[0]).toBeCloseTo((Math.tanh(-1) + Math.tanh(-2)) / 2, 6);
    expect(() => resolveModel(plugins, { kind: 'recursive', children: { cell: { kind: 'recursive', children: {} } } })).toThrow(/tree-cell/);
  });
});
