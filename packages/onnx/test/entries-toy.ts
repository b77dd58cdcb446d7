import * as tf from '@tensorflow/tfjs-core';
import { heads, layers, runSequence } from '@unfold/architectures';
import { cells } from '@unfold/cells/all';
import { bindNode, createRegistry, initWeights, isMap, isRecurrence, resolveModel, stateOf, type ModelSpec, type Registry, type ResolvedNode, type WeightMap } from '@unfold/core';
import type { ExportEntry } from '../src/index';

/**
 * A two-entry toy model: a GRU body with a dense head, exported as
 *   encoder  input [B, T, 3] (+ sequence_lens) → summary [B, 4], the GRU's final state from zeros
 *   step     input [B, 3] + state_in.body.h [B, 4] → output [B, 2] (the head over the new state) + state_out.body.h
 * Shared by packages/onnx/test/export-entries.test.ts and tools/fixtures/generate-v2-entries.mjs (which
 * writes packages/runtime/test/fixtures/v2/encoder-step/).
 */
export const TOY_SPEC: ModelSpec = {
  kind: 'sequence-model',
  children: { body: { kind: 'gru', config: { inputSize: 3, hiddenSize: 4 } }, output: { kind: 'dense', config: { inputSize: 4, outputSize: 2, activation: 'tanh' } } },
  metadata: { description: 'two-entry toy: encoder (features → vector) and step (vector + state → output + state)' },
};

export function toyRegistry(): Registry {
  return createRegistry([...cells, ...layers, ...heads]);
}

export function toyWeights(registry: Registry, seed = 11): WeightMap {
  return initWeights(resolveModel(registry, TOY_SPEC), seed);
}

export function toyEntries(root: ResolvedNode): ExportEntry[] {
  const body = root.children.body as ResolvedNode;
  const states = stateOf(body);
  const hidden = states[0]?.shape ?? [];
  return [
    {
      name: 'encoder',
      tasks: ['encode'],
      inputs: [{ name: 'input', kind: 'features', size: 3 }],
      outputs: [{ name: 'summary', kind: 'vector', size: 4, doc: "the GRU's state after each sequence's last real step" }],
      states: [],
      semantics: { readout: 'last' },
      build(context) {
        const input = context.inputs.input as { value: string; lengths: string };
        const run = context.sequence(context.node('body'), { input: input.value, lengths: input.lengths, initialState: [context.zeros(hidden)] });
        return { outputs: { summary: run.finalState[0] as string }, finalState: [] };
      },
    },
    {
      name: 'step',
      tasks: ['step'],
      inputs: [{ name: 'input', kind: 'vector', size: 3 }],
      outputs: [{ name: 'output', kind: 'vector', size: 2 }],
      states,
      build(context) {
        const step = context.step(context.node('body'), { input: (context.inputs.input as { value: string }).value, state: context.initialState });
        return { outputs: { output: context.head(context.node('output'), step.output) }, finalState: step.state };
      },
    },
  ];
}

interface Host {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

function withTensors<T>(weights: WeightMap, run: (tensors: Record<string, tf.Tensor>) => T): T {
  const tensors = Object.fromEntries(Object.entries(weights).map(([n, w]) => [n, tf.tensor(w.data, [...w.shape])]));
  let result: T | undefined;
  try {
    tf.tidy(() => {
      result = run(tensors);
    });
    return result as T;
  } finally {
    Object.values(tensors).forEach((t) => t.dispose());
  }
}

const host = (t: tf.Tensor): Host => ({ shape: t.shape, data: t.dataSync() as Float32Array });

/** unfold's own encoder: the body over x [B, T, 3] from zeros, its final state [B, 4]. */
export function unfoldEncoder(root: ResolvedNode, weights: WeightMap, x: Host, lengths: Int32Array): Host {
  return withTensors(weights, (tensors) => host(runSequence(bindNode(root, tensors).child('body'), { x: tf.tensor3d(x.data, x.shape as [number, number, number]), lengths }).finalState[0] as tf.Tensor));
}

/** unfold's own step: the cell's step on x [B, 3] and h [B, 4], then the head. */
export function unfoldStep(root: ResolvedNode, weights: WeightMap, x: Host, h: Host): { output: Host; state: Host } {
  return withTensors(weights, (tensors) => {
    const bound = bindNode(root, tensors);
    const body = bound.child('body');
    const head = bound.child('output');
    if (!isRecurrence(body.node.plugin) || !isMap(head.node.plugin)) throw new Error('toy model: body must be a cell and output a head');
    const step = body.node.plugin.step(body.params, tf.tensor2d(x.data, x.shape as [number, number]), [tf.tensor2d(h.data, h.shape as [number, number])], body.node.config);
    return { output: host(head.node.plugin.apply(head.params, step.output, head.node.config)), state: host(step.state[0] as tf.Tensor) };
  });
}
