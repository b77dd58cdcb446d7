import { attentionScorers, heads, layers, treeCells } from '@unfold/architectures';
import { cells } from '@unfold/cells/all';
import { createRegistry, type ModelSpec, type Registry } from '@unfold/core';
import { losses } from '@unfold/training';

/** Every built-in plugin: what the command line can train, load and export. */
export function builtInRegistry(): Registry {
  return createRegistry([...cells, ...layers, ...heads, ...treeCells, ...attentionScorers, ...losses]);
}

export const FORECASTER_CELLS = ['lstm', 'gru', 'rnn', 'leaky'] as const;
export type ForecasterCell = (typeof FORECASTER_CELLS)[number];

/** A one-step-ahead forecaster: a recurrent cell over a window, a dense readout at the last step. */
export function forecasterSpec(cell: ForecasterCell, hiddenSize: number, metadata: ModelSpec['metadata']): ModelSpec {
  return {
    kind: 'sequence-model',
    config: { readout: 'last' },
    children: {
      body: { kind: cell, config: { inputSize: 1, hiddenSize } },
      output: { kind: 'dense', config: { inputSize: hiddenSize, outputSize: 1 } },
    },
    ...(metadata ? { metadata } : {}),
  };
}
