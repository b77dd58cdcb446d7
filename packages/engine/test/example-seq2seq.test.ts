import { checkTokenizer, Rng } from '@unfold/core';
import { FULL_LENGTH } from '@unfold/onnx';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChecked } from '../../onnx/test/ort';
import { InferenceSession, Tensor } from '../src/index';
import { exampleModel } from './example-models';

/*
 * examples/specs/seq2seq-attention.json (a bidirectional GRU encoder, a GRU decoder with general attention)
 * exported as `unfold export` writes it, a folder of encoder.onnx, decoder_step.onnx and greedy.onnx, each
 * file run on onnxruntime-node and the compact engine with every output compared within 1e-5 (createChecked):
 * batches 1 and 3, sources of 0, 1, 5 and 9 steps, padded batches with an empty source (sequence_lens.source),
 * the broadcast full length, and the decoder step streamed four steps (state_out → state_in, the argmax as
 * the next token) over the encoder's memory. Batch 0 runs on the engine alone (onnxruntime-node 1.30 crashes
 * on a GRU node with batch 0), its outputs empty with the shapes batch 1 has.
 */
const example = exampleModel('seq2seq-attention');
const BOS = 2;
type Session = Awaited<ReturnType<typeof createChecked>>;
let sessions: Record<'encoder' | 'step' | 'greedy', Session>;

beforeAll(async () => {
  const file = (name: string) => example.files[name] as Uint8Array;
  sessions = { encoder: await createChecked(file('encoder.onnx')), step: await createChecked(file('decoder_step.onnx')), greedy: await createChecked(file('greedy.onnx')) };
});
afterAll(async () => {
  for (const session of Object.values(sessions ?? {})) await session.release();
});

const int32 = (data: Int32Array, dims: readonly number[]) => new ort.Tensor('int32', data, [...dims]);
const sourceVocabulary = checkTokenizer(example.spec.metadata?.sourceTokenizer, 'sourceTokenizer').tokens.length;

/** Token ids of the source vocabulary past the specials, [batch, time]. */
function sources(rng: Rng, batch: number, time: number): ort.Tensor {
  return int32(Int32Array.from({ length: batch * time }, () => 4 + rng.int(sourceVocabulary - 4)), [batch, time]);
}

/** Lengths per row: the first full, a random one, the last empty (batch 3); or the broadcast full length. */
function lengthsFor(rng: Rng, batch: number, time: number, broadcast: boolean): ort.Tensor {
  if (broadcast) return int32(Int32Array.of(FULL_LENGTH), [1]);
  return int32(Int32Array.from({ length: batch }, (_, b) => (b === 0 ? time : b === batch - 1 ? 0 : Math.min(time, 1 + rng.int(Math.max(time, 1))))), [batch]);
}

function argmax(logProbs: ort.Tensor): Int32Array {
  const [batch, vocabulary] = logProbs.dims as [number, number];
  const data = logProbs.data as Float32Array;
  return Int32Array.from({ length: batch }, (_, b) => {
    let best = 0;
    for (let v = 1; v < vocabulary; v++) if ((data[b * vocabulary + v] as number) > (data[b * vocabulary + best] as number)) best = v;
    return best;
  });
}

describe('examples/specs/seq2seq-attention: the exported folder on the compact engine', () => {
  it('has the three files unfold export writes', () => expect(Object.keys(example.files).sort()).toEqual(['decoder_step.onnx', 'encoder.onnx', 'greedy.onnx']));

  it.each([
    [1, false],
    [1, true],
    [3, false],
    [3, true],
  ])('batch %i (broadcast full length: %s): encoder, four streamed decoder steps and the greedy decoder match onnxruntime-node', async (batch, broadcast) => {
    for (const time of [0, 1, 5, 9]) {
      const rng = new Rng(`seq2seq/${batch}/${time}/${broadcast}`);
      const source = sources(rng, batch, time);
      const lengths = lengthsFor(rng, batch, time, broadcast);
      const encoded = await sessions.encoder.run({ source, 'sequence_lens.source': lengths });
      expect(encoded.memory?.dims).toEqual([batch, time, 64]);
      let state = encoded['initial.decoder.0.h'] as ort.Tensor;
      let previous: Int32Array = new Int32Array(batch).fill(BOS);
      for (let step = 0; step < 4; step++) {
        const out = await sessions.step.run({ memory: encoded.memory as ort.Tensor, 'sequence_lens.memory': lengths, memory_keys: encoded.memory_keys as ort.Tensor, previous: int32(previous, [batch, 1]), 'state_in.decoder.0.h': state });
        state = out['state_out.decoder.0.h'] as ort.Tensor;
        previous = argmax(out.log_probs as ort.Tensor);
      }
      const greedy = await sessions.greedy.run({ source, 'sequence_lens.source': lengths });
      expect(greedy.tokens?.dims[0]).toBe(batch);
    }
  });

  it('batch 0 on the engine alone: every file gives empty outputs shaped as at batch 1', async () => {
    const file = (name: string) => InferenceSession.create(example.files[name] as Uint8Array);
    const [encoder, step, greedy] = await Promise.all([file('encoder.onnx'), file('decoder_step.onnx'), file('greedy.onnx')]);
    const none = new Tensor('int32', new Int32Array(0), [0]);
    for (const time of [0, 3]) {
      const source = new Tensor('int32', new Int32Array(0), [0, time]);
      const encoded = await encoder.run({ source, 'sequence_lens.source': none });
      expect(Object.fromEntries(Object.entries(encoded).map(([k, v]) => [k, v.dims]))).toEqual({ memory: [0, time, 64], memory_keys: [0, time, 64], 'initial.decoder.0.h': [0, 64] });
      const out = await step.run({ memory: encoded.memory as Tensor, 'sequence_lens.memory': none, memory_keys: encoded.memory_keys as Tensor, previous: new Tensor('int32', new Int32Array(0), [0, 1]), 'state_in.decoder.0.h': encoded['initial.decoder.0.h'] as Tensor });
      expect(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.dims]))).toEqual({ log_probs: [0, 12], attention: [0, time, 1], 'state_out.decoder.0.h': [0, 64] });
      const tokens = (await greedy.run({ source, 'sequence_lens.source': none })).tokens;
      expect(tokens?.dims.length).toBe(2);
      expect(tokens?.dims[0]).toBe(0);
    }
    await Promise.all([encoder.release(), step.release(), greedy.release()]);
  });
});
