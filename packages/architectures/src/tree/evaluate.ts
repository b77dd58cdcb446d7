import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import type { BoundNode, TreeValue } from '@unfold/core';
import { TreeError } from '@unfold/core/tree';
import type { TreeCellPlugin } from './family';

/**
 * Height-batched evaluation of a forest: level h (all nodes of height h, every tree at once) is one call
 * of the cell. Node states live in a table, one per state, of rows
 *
 *   row 0               zeros (the state of a missing child, index −1)
 *   rows 1 + …          the nodes of level 0, then level 1, … in level order
 *
 * so a level gathers its children's rows [n·K] from the table of the levels before it. The table grows by
 * concatenation (differentiable; no in-place writes), and the states are finally gathered back to node
 * order. Returns each state per node, [N, H].
 */
export function evaluateForest(cell: BoundNode, x: Tensor2D, tree: TreeValue, arity: number): Tensor2D[] {
  const plugin = cell.node.plugin as TreeCellPlugin;
  const config = cell.node.config;
  const H = plugin.hiddenSize(config);
  const count = plugin.states(config).length;
  const N = x.shape[0];
  const K = tree.arity;
  if (K > arity) throw new TreeError('arity', 'tree', 'too many children', { expected: `at most ${arity} (the cell's N)`, got: String(K) });
  const rowOf = new Int32Array(N);
  const parts: Tensor2D[][] = Array.from({ length: count }, () => [tf.zeros([1, H]) as Tensor2D]);
  let rows = 1;
  for (const level of tree.levels) {
    const n = level.length;
    if (n === 0) continue;
    const childRows = new Int32Array(n * arity);
    level.forEach((node, j) => {
      for (let k = 0; k < arity; k++) {
        const child = k < K ? (tree.children[node * K + k] as number) : -1;
        childRows[j * arity + k] = child < 0 ? 0 : (rowOf[child] as number);
      }
    });
    const index = tf.tensor1d(childRows, 'int32');
    const xs = tf.gather(x, tf.tensor1d(level, 'int32')) as Tensor2D;
    const children = parts.map((part) => tf.reshape(tf.gather(part.length === 1 ? (part[0] as Tensor2D) : tf.concat(part, 0), index), [n, arity, H]) as Tensor3D);
    const states = plugin.apply(cell.params, xs, children, config);
    states.forEach((s, i) => (parts[i] as Tensor2D[]).push(s));
    level.forEach((node, j) => (rowOf[node] = rows + j));
    rows += n;
  }
  const back = tf.tensor1d(rowOf, 'int32');
  return parts.map((part) => tf.gather(tf.concat(part, 0), back) as Tensor2D);
}

/**
 * The reference schedule: one cell call per node, in post-order (for the speed comparison; the same
 * numbers as `evaluateForest`). Returns each state per node, [N, H].
 */
export function evaluateNodeByNode(cell: BoundNode, x: Tensor2D, tree: TreeValue, arity: number): Tensor2D[] {
  const plugin = cell.node.plugin as TreeCellPlugin;
  const config = cell.node.config;
  const H = plugin.hiddenSize(config);
  const count = plugin.states(config).length;
  const K = tree.arity;
  const zero = tf.zeros([1, H]) as Tensor2D;
  const states: Tensor2D[][] = [];
  for (const level of tree.levels) {
    for (const node of level) {
      const children = Array.from({ length: count }, (_, s) => {
        const rows: Tensor2D[] = [];
        for (let k = 0; k < arity; k++) {
          const child = k < K ? (tree.children[node * K + k] as number) : -1;
          rows.push(child < 0 ? zero : ((states[child] as Tensor2D[])[s] as Tensor2D));
        }
        return tf.reshape(tf.concat(rows, 0), [1, arity, H]) as Tensor3D;
      });
      states[node] = plugin.apply(cell.params, tf.slice(x, [node, 0], [1, -1]), children, config);
    }
  }
  return Array.from({ length: count }, (_, s) => tf.concat(states.map((row) => row[s] as Tensor2D), 0));
}

/** Rows of `value` at `indices`: [len, ...]. */
export function rowsAt<T extends Tensor>(value: T, indices: Int32Array): T {
  return tf.gather(value, tf.tensor1d(indices, 'int32')) as T;
}
