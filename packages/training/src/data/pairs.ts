import * as tf from '@tensorflow/tfjs-core';
import { BOS_ID, DataError, DECODER_INPUT_PORT, EOS_ID, type InputSpec } from '@unfold/core';
import type { Batch } from './batches';
import type { BatchSource } from './batch-source';

/**
 * Sequence-to-sequence training pairs, the form users hold them in: per pair a source sequence (token ids
 * [S], or feature rows [S][I] for a features encoder) and a target sequence of token ids [T] without the
 * markers. A batch pads both sides with zeros and adds the markers:
 *
 *   decoder inputs  <bos> y₁ … y_T        (the `target` port: teacher forcing, or what scheduled sampling mixes with)
 *   targets         y₁ … y_T <eos>        (class ids for the cross-entropy, masked past each pair's T + 1)
 *
 * The decoder therefore learns to end its output with <eos>, which is where decoding stops.
 */
export interface PairData {
  readonly source: readonly (readonly number[] | readonly (readonly number[])[])[];
  readonly target: readonly (readonly number[])[];
}

/** One validated pair. */
export interface Pair {
  readonly sourceLength: number;
  /** [S] ids or [S, I] features, row-major. */
  readonly source: Int32Array | Float32Array;
  readonly target: Int32Array;
}

export function isPairData(data: unknown): data is PairData {
  return typeof data === 'object' && data !== null && 'source' in data && 'target' in data;
}

function fail(where: string, summary: string, expected: string, got: string, fix: string): never {
  throw new DataError(summary, { where, expected, got, fix });
}

function checkId(value: unknown, size: number, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= size) fail(where, 'token id out of range', `an integer in [0, ${size})`, JSON.stringify(value) ?? String(value), 'map unknown tokens to <unk> (1), or enlarge the vocabulary');
  return value;
}

/** Validates pairs against the model's source input and target vocabulary; errors name the pair and position. */
export function readPairs(data: PairData, input: InputSpec, targetVocabulary: number, name = 'data'): Pair[] {
  if (!Array.isArray(data.source) || !Array.isArray(data.target)) fail(name, 'pairs need source and target lists', '{ source: [...], target: [...] }', typeof data, 'pass one source and one target per pair');
  if (data.source.length !== data.target.length) fail(name, 'source and target have different lengths', `${data.source.length} targets (one per source)`, String(data.target.length), 'give one target per source');
  if (data.source.length === 0) fail(name, 'no pairs', 'at least one pair', '0', 'pass some data');
  return data.source.map((sequence, n) => {
    const at = `${name}.source[${n}]`;
    if (!Array.isArray(sequence) || sequence.length === 0) fail(at, 'empty or missing source', 'a list of at least one step', JSON.stringify(sequence)?.slice(0, 40) ?? String(sequence), 'drop empty pairs');
    const sourceLength = sequence.length;
    let source: Int32Array | Float32Array;
    if (input.kind === 'tokens') source = Int32Array.from(sequence, (id, s) => checkId(id, input.size, `${at}[${s}]`));
    else {
      source = new Float32Array(sourceLength * input.size);
      sequence.forEach((row, s) => {
        if (!Array.isArray(row) || row.length !== input.size || !row.every((v) => typeof v === 'number' && Number.isFinite(v))) fail(`${at}[${s}]`, 'bad source step', `${input.size} finite numbers`, JSON.stringify(row)?.slice(0, 40) ?? String(row), 'give every source step the same number of features');
        source.set(row as number[], s * input.size);
      });
    }
    const target = data.target[n];
    if (!Array.isArray(target)) fail(`${name}.target[${n}]`, 'target is not a list of token ids', 'a list of ids (no <bos>/<eos>: the batches add them)', JSON.stringify(target)?.slice(0, 40) ?? String(target), 'give each target as a list of token ids');
    return { sourceLength, source, target: Int32Array.from(target, (id, t) => checkId(id, targetVocabulary, `${name}.target[${n}][${t}]`)) };
  });
}

/** Pairs as a batch source: x the padded sources, `ports.target` the decoder inputs, y the targets with <eos>. */
export function pairSource(pairs: readonly Pair[], input: InputSpec): BatchSource {
  return {
    count: pairs.length,
    lengths: Int32Array.from(pairs, (p) => Math.max(p.sourceLength, p.target.length + 1)),
    batch: (indices) => pairBatch(pairs, indices, input),
  };
}

function pairBatch(pairs: readonly Pair[], indices: ArrayLike<number>, input: InputSpec): Batch {
  const chosen = Array.from(indices, (i) => pairs[i] as Pair);
  const batch = chosen.length;
  const S = Math.max(...chosen.map((p) => p.sourceLength));
  const T = Math.max(...chosen.map((p) => p.target.length + 1));
  const width = input.kind === 'tokens' ? 1 : input.size;
  const source = input.kind === 'tokens' ? new Int32Array(batch * S) : new Float32Array(batch * S * width);
  const inputs = new Int32Array(batch * T);
  const targets = new Int32Array(batch * T);
  const mask = new Float32Array(batch * T);
  chosen.forEach((pair, b) => {
    source.set(pair.source, b * S * width);
    const n = pair.target.length;
    inputs[b * T] = BOS_ID;
    inputs.set(pair.target, b * T + 1);
    targets.set(pair.target, b * T);
    targets[b * T + n] = EOS_ID;
    mask.fill(1, b * T, b * T + n + 1);
  });
  const targetLengths = Int32Array.from(chosen, (p) => p.target.length + 1);
  return {
    x: input.kind === 'tokens' ? tf.tensor2d(source, [batch, S], 'int32') : tf.tensor3d(source as Float32Array, [batch, S, width]),
    lengths: Int32Array.from(chosen, (p) => p.sourceLength),
    y: tf.tensor2d(targets, [batch, T], 'int32'),
    mask: tf.tensor2d(mask, [batch, T]),
    size: batch,
    ports: { [DECODER_INPUT_PORT]: { x: tf.tensor2d(inputs, [batch, T], 'int32'), lengths: targetLengths } },
  };
}
