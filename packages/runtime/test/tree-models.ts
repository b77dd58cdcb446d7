import * as tf from '@tensorflow/tfjs-core';
import { flattenForest, heads, layers, runTree, treeCells, treeValue } from '@unfold/architectures';
import { createRegistry, setupBackend, type ModelSpec, type Registry } from '@unfold/core';
import { treeTokenIds, treeTokenizer, type TreeSource } from '@unfold/core/tree';
import { exportModel } from '@unfold/onnx';
import { createModel, type Model } from '@unfold/training';

/**
 * Small tree models exported for the runtime and edge tests, with unfold's own tree layer (tfjs,
 * `runTree`) as the reference every served answer is compared with: an N-ary (N = 2) Tree-LSTM over
 * arithmetic tokens whose tokenizer travels in the file, and a child-sum Tree-LSTM over node features.
 */
export const ARITHMETIC_TOKENIZER = treeTokenizer(['+', '-', '*', ...'0123456789']);

export const TREE_SPECS = {
  arithmetic: {
    kind: 'recursive',
    children: {
      embedding: { kind: 'embedding', config: { vocabularySize: ARITHMETIC_TOKENIZER.tokens.length, embeddingSize: 4 } },
      cell: { kind: 'nary-tree-lstm', config: { inputSize: 4, hiddenSize: 6, arity: 2 } },
      head: { kind: 'dense', config: { inputSize: 6, outputSize: 10, activation: 'softmax' } },
    },
    metadata: { tokenizer: { kind: 'word', tokens: [...ARITHMETIC_TOKENIZER.tokens], lowercase: false } },
  },
  features: {
    kind: 'recursive',
    children: { cell: { kind: 'child-sum-tree-lstm', config: { inputSize: 3, hiddenSize: 5 } }, head: { kind: 'dense', config: { inputSize: 5, outputSize: 2 } } },
  },
} satisfies Record<string, ModelSpec>;

export type TreeModelName = keyof typeof TREE_SPECS;

export function treeRegistry(): Registry {
  return createRegistry([...layers, ...heads, ...treeCells]);
}

export interface TreeReference {
  readonly bytes: Uint8Array;
  readonly model: Model;
  /** unfold's answer for the trees: each root's output and every node's, in the forest's node order. */
  forward(trees: readonly TreeSource[]): { readonly outputs: number[][]; readonly nodes: number[][]; readonly paths: readonly string[] };
}

function rows(data: Float32Array | Int32Array | Uint8Array, size: number): number[][] {
  return Array.from({ length: data.length / size }, (_, r) => Array.from(data.subarray(r * size, (r + 1) * size)));
}

export async function treeReference(name: TreeModelName, seed = 5): Promise<TreeReference> {
  await setupBackend();
  const registry = treeRegistry();
  const spec = TREE_SPECS[name] as ModelSpec;
  const model = createModel(registry, spec, { seed });
  const bytes = exportModel(registry, model.toModelData());
  const tokens = name === 'arithmetic';
  return {
    bytes,
    model,
    forward(trees) {
      const forest = flattenForest(trees, tokens ? { arity: 2 } : {});
      const value = treeValue(forest, tokens ? { ids: treeTokenIds(ARITHMETIC_TOKENIZER) } : { featureSize: 3 });
      const result = tf.tidy(() => {
        const out = runTree(model.bound, value);
        return { roots: out.roots.dataSync(), nodes: out.nodes.dataSync() };
      });
      value.nodes.dispose();
      const O = tokens ? 10 : 2;
      return { outputs: rows(result.roots, O), nodes: rows(result.nodes, O), paths: forest.paths };
    },
  };
}
