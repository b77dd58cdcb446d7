import { defineConfig, defineLayer, field, type CellPlugin, type ResolvedNode } from '@unfold/core';
import { runCell } from './sequence';
import { stateOf } from '@unfold/core';
import { ARCHITECTURES_META } from './meta';
import { recurrentOnnx } from './onnx/recurrent';

/**
 * `recurrent`: runs its `cell` child over each sequence, forward or reversed.
 *
 *   input  x [B, T, I] batch-major, lengths [B] (optional), initial state (cell's states, each [B, S])
 *   output y [B, T, O] (zeros at padded steps), final state at each sequence's last real step
 *
 * Weights are the cell's (`cell.W`, ...). State names are qualified by path (`cell.h`, `cell.c`).
 */
export const recurrent = defineLayer({
  kind: 'recurrent',
  meta: ARCHITECTURES_META,
  schemaVersion: 1,
  summary: 'runs a cell over a sequence, forward or reversed',
  config: defineConfig({
    reverse: field.boolean({ doc: 'process each sequence from its last real step to its first', default: false }),
    fused: field.boolean({ doc: "use the cell's fused whole-sequence path when it has one", default: true }),
  }),
  children: () => [{ name: 'cell', families: ['cell'], list: false }],
  inputSize: (node) => cellOf(node).plugin.inputSize(cellOf(node).config),
  outputSize: (node) => cellOf(node).plugin.outputSize(cellOf(node).config),
  state: (node) => stateOf(cellOf(node)),
  forward: (bound, input, context) => runCell(bound.child('cell'), input, { reverse: bound.node.config.reverse, fused: bound.node.config.fused }, context),
  onnx: recurrentOnnx,
});

function cellOf(node: ResolvedNode): ResolvedNode<unknown, CellPlugin> {
  return node.children.cell as ResolvedNode<unknown, CellPlugin>;
}
