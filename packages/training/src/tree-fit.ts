import * as tf from '@tensorflow/tfjs-core';
import { cellArity, maskedTreeLoss, nodeTargets, runTree, treeValue, type EncodeOptions } from '@unfold/architectures';
import { ConfigError, requireGradients, type TokenizerSpec, type WeightMap } from '@unfold/core';
import { flattenForest, treeTokenIds, type Forest } from '@unfold/core/tree';
import { bucketBoundaries, type BucketSpec } from './data/buckets';
import { treeSize, type TreeData } from './data/tree-records';
import { bucketSampler, shuffledSampler } from './loop/sampler';
import type { Model } from './model';
import { adam } from './optimizers/adam';
import { update } from './train-step';

/**
 * Trains a tree model (a `recursive` root) on tree data (tree-records.ts): each batch of trees is one
 * forest, evaluated height by height; the loss is the root loss (cross-entropy over logits for class
 * labels, mean squared error for values) plus, when nodes below the roots carry labels, the same loss
 * over every labelled node (masked: unlabelled rows count nothing). Adam with optional clipping, through
 * the library's `update` (non-finite losses stop training before a bad update). Batches come from fit's
 * samplers: shuffled, or buckets by tree size (nodes per tree), seeded by (seed, epoch), so a run is
 * reproducible. Early stopping on the validation loss restores the best weights.
 */
export interface TreeFitOptions {
  readonly epochs: number;
  /** Trees per batch (default 32). */
  readonly batchSize?: number;
  /** Adam's learning rate (default 3e-3). */
  readonly learningRate?: number;
  readonly clipNorm?: number;
  readonly clipValue?: number;
  /** Seed of the batch order (default 0); weights are seeded when the model is created. */
  readonly seed?: number;
  /** Buckets by tree size (nodes per tree): `"auto"` (size quantiles) or boundaries. */
  readonly buckets?: BucketSpec;
  readonly validation?: TreeData;
  /** The node tokens' vocabulary (default the training data's); ignored for feature trees. */
  readonly tokenizer?: TokenizerSpec;
  /** Stop after `patience` epochs without a better validation loss, restoring the best weights. */
  readonly patience?: number;
  /** Called after every epoch. */
  readonly onEpoch?: (info: TreeEpoch) => void;
}

export interface TreeEpoch {
  readonly epoch: number;
  readonly loss: number;
  readonly steps: number;
  readonly validationLoss?: number;
  /** Class labels: the share of validation trees whose root class is right. */
  readonly validationAccuracy?: number;
}

export interface TreeFitResult {
  readonly history: readonly TreeEpoch[];
  readonly steps: number;
  /** With `buckets`: the size boundaries used. */
  readonly boundaries?: readonly number[];
  readonly stoppedEarly: boolean;
}

/** The forest of some trees of `data` with their root targets, flattened for the model's cell. */
function forestOf(model: Model, data: TreeData, indices: ArrayLike<number>): { forest: Forest; targets: number[] } {
  const arity = cellArity(model.root, 0);
  const trees = Array.from(indices, (i) => data.trees[i] as TreeData['trees'][number]);
  const forest = flattenForest(trees, arity > 0 ? { arity } : {});
  const targets = Array.from(indices, (i) => data.targets[i] as number | readonly number[]).flatMap((t) => (typeof t === 'number' ? [t] : [...t]));
  return { forest, targets };
}

function lossOf(model: Model, data: TreeData, indices: ArrayLike<number>, encode: EncodeOptions): () => tf.Scalar {
  const kind = data.sizes.output.kind;
  const { forest, targets } = forestOf(model, data, indices);
  return () => {
    const value = treeValue(forest, encode);
    const result = runTree(model.bound, value);
    const root = maskedTreeLoss(result.roots, targets, kind);
    return (data.nodeLabels ? tf.add(root, maskedTreeLoss(result.nodes, nodeTargets(forest), kind)) : root) as tf.Scalar;
  };
}

/** Mean loss over `data` (batches of `batchSize`), and the root accuracy for class labels. */
export function evaluateTrees(model: Model, data: TreeData, encode: EncodeOptions, batchSize = 128): { loss: number; accuracy?: number } {
  let total = 0;
  let right = 0;
  for (let start = 0; start < data.trees.length; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, data.trees.length - start) }, (_, k) => start + k);
    const { forest, targets } = forestOf(model, data, indices);
    tf.tidy(() => {
      const result = runTree(model.bound, treeValue(forest, encode));
      total += (maskedTreeLoss(result.roots, targets, data.sizes.output.kind).dataSync()[0] as number) * indices.length;
      if (data.sizes.output.kind === 'classes') {
        const predicted = tf.argMax(result.roots, 1).dataSync();
        targets.forEach((t, b) => (right += predicted[b] === t ? 1 : 0));
      }
    });
  }
  const count = Math.max(data.trees.length, 1);
  return { loss: total / count, ...(data.sizes.output.kind === 'classes' ? { accuracy: right / count } : {}) };
}

/** Node inputs of a model's trees: token ids through the tokenizer, or feature vectors. */
export function treeEncoding(data: TreeData, tokenizer?: TokenizerSpec): EncodeOptions {
  const vocabulary = tokenizer ?? data.tokenizer;
  return vocabulary ? { ids: treeTokenIds(vocabulary) } : { featureSize: data.sizes.input.size };
}

export async function fitTrees(model: Model, data: TreeData, options: TreeFitOptions): Promise<TreeFitResult> {
  await requireGradients('fitTrees');
  const batchSize = options.batchSize ?? 32;
  if (!Number.isSafeInteger(options.epochs) || options.epochs < 1 || !Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new ConfigError('invalid epochs or batch size', { where: 'fitTrees', expected: 'integers >= 1', got: `epochs ${options.epochs}, batchSize ${batchSize}` });
  }
  const encode = treeEncoding(data, options.tokenizer);
  const seed = options.seed ?? 0;
  const sizes = Int32Array.from(data.trees, treeSize);
  const boundaries = options.buckets ? bucketBoundaries(sizes, options.buckets, batchSize) : undefined;
  const sampler = boundaries ? bucketSampler(sizes, batchSize, boundaries, seed) : shuffledSampler(data.trees.length, batchSize, seed);
  const optimizer = adam();
  const learningRate = options.learningRate ?? 3e-3;
  const history: TreeEpoch[] = [];
  let steps = 0;
  let best = Number.POSITIVE_INFINITY;
  let bestWeights: WeightMap | undefined;
  let waited = 0;
  let stoppedEarly = false;
  try {
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      let sum = 0;
      const batches = sampler.batches(epoch);
      for (const indices of batches) {
        const clip = { ...(options.clipNorm !== undefined ? { clipNorm: options.clipNorm } : {}), ...(options.clipValue !== undefined ? { clipValue: options.clipValue } : {}) };
        sum += update(model, optimizer, lossOf(model, data, indices, encode), learningRate, clip, `epoch ${epoch}, step ${steps + 1}`).loss;
        steps += 1;
      }
      const validation = options.validation ? evaluateTrees(model, options.validation, encode) : undefined;
      const info: TreeEpoch = { epoch, loss: sum / Math.max(batches.length, 1), steps, ...(validation ? { validationLoss: validation.loss, ...(validation.accuracy !== undefined ? { validationAccuracy: validation.accuracy } : {}) } : {}) };
      history.push(info);
      options.onEpoch?.(info);
      if (validation && options.patience !== undefined) {
        if (validation.loss < best) {
          best = validation.loss;
          bestWeights = model.toModelData().weights;
          waited = 0;
        } else if (++waited >= options.patience) {
          stoppedEarly = true;
          break;
        }
      }
    }
  } finally {
    optimizer.dispose();
  }
  if (bestWeights) model.setWeights(bestWeights);
  return { history, steps, ...(boundaries ? { boundaries } : {}), stoppedEarly };
}
