import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '@unfold/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkTreeValue, flattenForest, isTreeError, parseBracketed, parseTree, treeValue, type TreeProblem } from '../../src/index';

beforeAll(() => setupBackend());

function problemOf(run: () => unknown): { problem: TreeProblem; path: string; message: string } {
  try {
    run();
  } catch (error) {
    if (isTreeError(error)) return { problem: error.problem, path: error.path, message: error.message };
    throw error;
  }
  throw new Error('no error');
}

describe('tree input', () => {
  it('parses the bracketed form and JSON to the same tree', () => {
    const text = parseBracketed('(+ 1 (* 2 3))', 'trees[0]');
    const json = parseTree({ token: '+', children: [{ token: 1 }, { token: '*', children: [{ token: '2' }, { token: '3' }] }] }, 'trees[0]');
    const strip = (n: { token?: string; children: readonly unknown[] }): unknown => ({ token: n.token, children: n.children.map((c) => strip(c as never)) });
    expect(strip(text)).toEqual(strip(json));
    expect((text.children[1] as { path: string }).path).toBe('trees[0].children[1]');
  });

  it('flattens a forest in post-order with levels by height and −1 for no child', () => {
    const forest = flattenForest(['(+ 1 (* 2 3))', '7', { nodes: [{ token: 'a' }, { token: 'b' }], children: [[1], []] }]);
    expect(forest.tokens).toEqual(['1', '2', '3', '*', '+', '7', 'b', 'a']);
    expect(forest.arity).toBe(2);
    expect(Array.from(forest.children)).toEqual([-1, -1, -1, -1, -1, -1, 1, 2, 0, 3, -1, -1, -1, -1, 6, -1]);
    expect(Array.from(forest.heights)).toEqual([0, 0, 0, 1, 2, 0, 0, 1]);
    expect(forest.levels.map((l) => Array.from(l))).toEqual([[0, 1, 2, 5, 6], [3, 7], [4]]);
    expect(Array.from(forest.roots)).toEqual([4, 5, 7]);
    const value = treeValue(forest, { ids: (t) => t.charCodeAt(0) });
    expect(value.nodes.dtype).toBe('int32');
    checkTreeValue(value);
    value.nodes.dispose();
  });

  it('gives typed errors naming the node path', () => {
    expect(problemOf(() => flattenForest([{ nodes: [{ token: 'a' }, { token: 'b' }], children: [[1], [0]] }]))).toMatchObject({ problem: 'cycle', path: 'trees[0].nodes[1]' });
    expect(problemOf(() => flattenForest([{ nodes: [{ token: 'a' }, { token: 'b' }], children: [[5], []] }]))).toMatchObject({ problem: 'out-of-range', path: 'trees[0].nodes[0]' });
    expect(problemOf(() => flattenForest([{ nodes: [{ token: 'a' }, { token: 'b' }, { token: 'c' }], children: [[1], [], []] }]))).toMatchObject({ problem: 'dangling', path: 'trees[0].nodes[2]' });
    expect(problemOf(() => flattenForest(['x', '(+ 1 (* 2 3 4))'], { arity: 2 }))).toMatchObject({ problem: 'arity', path: 'trees[1].children[1]' });
    expect(problemOf(() => flattenForest(['x', '  ']))).toMatchObject({ problem: 'empty', path: 'trees[1]' });
    expect(problemOf(() => flattenForest([]))).toMatchObject({ problem: 'empty', path: 'trees' });
    expect(problemOf(() => flattenForest(['(a (b (c (d e))))'], { maxDepth: 2 }))).toMatchObject({ problem: 'too-deep', path: 'trees[0].children[0].children[0].children[0]' });
    expect(problemOf(() => flattenForest(['(a b c d)'], { maxNodes: 3 }))).toMatchObject({ problem: 'too-many-nodes' });
    expect(problemOf(() => flattenForest(['(+ 1 2'])).problem).toBe('syntax');
    expect(problemOf(() => flattenForest(['(a b c d e)', '(f g)'], { maxChildSlots: 20 }))).toMatchObject({ problem: 'too-wide', path: 'trees[0]' });
    // An object that looks like a parsed tree is parsed like any other source, never trusted.
    expect(problemOf(() => flattenForest([{ path: 'x', children: [7] } as never]))).toMatchObject({ problem: 'bad-node', path: 'trees[0]' });
    expect(problemOf(() => flattenForest([{ token: 'a', children: [{ children: [] }] }]))).toMatchObject({ problem: 'bad-node', path: 'trees[0].children[0]' });
    const message = problemOf(() => flattenForest([{ nodes: [{ token: 'a' }, { token: 'b' }], children: [[1], [0]] }])).message;
    expect(message).toMatch(/^trees\[0\]\.nodes\[1\]: cycle/);
  });

  it('rejects a hand-built value whose child comes after its parent', () => {
    const nodes = tf.zeros([2, 1]);
    const bad = { nodes, children: Int32Array.from([1, -1]), arity: 1, levels: [Int32Array.from([0]), Int32Array.from([1])], roots: Int32Array.from([0]) };
    expect(problemOf(() => checkTreeValue(bad)).problem).toBe('cycle');
    expect(problemOf(() => checkTreeValue({ ...bad, children: Int32Array.from([-1, 9]) })).problem).toBe('out-of-range');
    nodes.dispose();
  });

  it('handles a 2000-deep chain without exhausting the stack', () => {
    let text = 'x';
    for (let i = 0; i < 2000; i++) text = `(f ${text})`;
    const forest = flattenForest([text], { maxDepth: 5000 });
    expect(forest.levels.length).toBe(2001);
  });
});
