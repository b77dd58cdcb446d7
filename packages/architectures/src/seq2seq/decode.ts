/**
 * Decoding a seq2seq model in tfjs: greedy, beam search and sampling, all through the one decoder step
 * (decoder.ts) and the engine-independent searches of `@unfold/core/decoding`, which the runtime runs over
 * onnxruntime too, so both give the same tokens.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { beamSearch, sampleSearch, type DecodeStrategy, type Hypothesis, type SearchDecoder } from '@unfold/core/decoding';
import { inferenceContext, type BoundNode } from '@unfold/core';
import type { TokenSampling } from '@unfold/core/sampling';
import { decoderStep, encode, type DecoderState, type Memory } from './decoder';
import { sizesOf } from './parts';

/** The decoder state plus the memory rows it attends over, as the searches carry it. */
interface Rows {
  readonly decoder: DecoderState;
  readonly memory: Memory;
}

/** tf.tidy for results whose type tfjs's TensorContainer does not name (objects of tensors). */
function tidy<T>(fn: () => T): T {
  return tf.tidy(fn as () => tf.TensorContainer) as T;
}

function tensorsOf(rows: Rows): Tensor[] {
  const { decoder, memory } = rows;
  return [...decoder.cells, ...(decoder.feed ? [decoder.feed] : []), memory.outputs, memory.mask, ...(memory.keys ? [memory.keys] : [])];
}

/** The model's decoder as the searches see it: each call keeps its results and disposes the rows it consumed. */
export function tfjsDecoder(bound: BoundNode): SearchDecoder<Rows> {
  const context = inferenceContext();
  return {
    vocabulary: sizesOf(bound.node).targetVocabulary,
    step(previous, rows) {
      const { logProbs, state } = tidy(() => {
        const step = decoderStep(bound, tf.tensor1d(previous, 'int32'), rows.decoder, rows.memory, context);
        return { logProbs: tf.logSoftmax(step.logits) as Tensor2D, state: step.state };
      });
      const values = logProbs.dataSync() as Float32Array;
      logProbs.dispose();
      tf.dispose([...rows.decoder.cells, ...(rows.decoder.feed ? [rows.decoder.feed] : [])]);
      return { logProbs: values, state: { decoder: state, memory: rows.memory } };
    },
    select(rows, indices) {
      const next = tidy((): Rows => {
        const at = tf.tensor1d(indices, 'int32');
        const pick = <T extends Tensor>(t: T): T => tf.gather(t, at) as T;
        const { decoder, memory } = rows;
        return {
          decoder: { cells: decoder.cells.map(pick), ...(decoder.feed ? { feed: pick(decoder.feed) } : {}) },
          memory: { outputs: pick(memory.outputs), mask: pick(memory.mask), ...(memory.keys ? { keys: pick(memory.keys) } : {}) },
        };
      });
      tf.dispose(tensorsOf(rows));
      return next;
    },
    release: (rows) => tf.dispose(tensorsOf(rows)),
  };
}

/**
 * Decodes a batch of sources (token ids [B, S] or features [B, S, I], with lengths): per source, the
 * hypotheses best first (one for greedy and sample, `nBest` for beam). Unchecked input: callers check it
 * (the training package's `translate` does).
 */
export async function decodeSources(bound: BoundNode, source: Tensor, lengths: Int32Array | undefined, strategy: DecodeStrategy): Promise<Hypothesis[][]> {
  const rows = tidy((): Rows => {
    const encoded = encode(bound, source, lengths, inferenceContext());
    return { decoder: encoded.state, memory: encoded.memory };
  });
  const decoder = tfjsDecoder(bound);
  const batch = source.shape[0] ?? 0;
  if (strategy.strategy === 'beam') return beamSearch(decoder, rows, batch, strategy);
  const sampling: TokenSampling = strategy.strategy === 'greedy' ? { strategy: 'greedy', temperature: 1, topK: null } : strategy.sampling;
  const found = await sampleSearch(decoder, rows, batch, { maxLength: strategy.maxLength, sampling, ...(strategy.strategy === 'sample' ? { seed: strategy.seed } : {}) });
  return found.map((hyp) => [hyp]);
}
