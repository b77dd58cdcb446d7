import { setupBackend, type ModelSpec } from '@unfold/core';
import { exportModel } from '@unfold/onnx';
import { createModel, generate } from '@unfold/training';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type GenerateResult, type UnfoldModel } from '../src/index';
import { asUnfold, codeOf, rejection } from './kit';
import { CHARLM_TOKENIZER, referenceModel, SPECS, testRegistry, type ReferenceModel } from './models';

process.env.ORT_DISABLE_TELEMETRY = '1';
const runtime = createRuntime(ort);
let charlm: ReferenceModel;
let served: UnfoldModel;
let tagger: UnfoldModel;
let noTokenizer: UnfoldModel;

beforeAll(async () => {
  charlm = await referenceModel('charlm', 7);
  served = asUnfold(await runtime.load(charlm.bytes, { name: 'charlm' }));
  const taggerRef = await referenceModel('tagger');
  tagger = asUnfold(await runtime.load(taggerRef.bytes, { name: 'tagger' }));
  taggerRef.model.dispose();
  await setupBackend({ backend: 'cpu' });
  const { metadata: _, ...bare } = SPECS.charlm;
  const model = createModel(testRegistry(), bare as ModelSpec, { seed: 7 });
  noTokenizer = asUnfold(await runtime.load(exportModel(testRegistry(), model.toModelData()), { name: 'bare' }));
  model.dispose();
});

afterAll(async () => {
  for (const model of [served, tagger, noTokenizer]) await model?.release();
  charlm?.model.dispose();
});

const run = (request: unknown, model = served) => model.run('generate', request) as Promise<GenerateResult>;

describe('generate (text in, text out)', () => {
  it('is declared by a token model whose file carries a tokenizer, and only by it', () => {
    expect(served.describe().operations).toEqual(['predict', 'stream', 'rollout', 'generate']);
    expect(served.describe().entries?.[0]?.semantics.tokenizer).toEqual(CHARLM_TOKENIZER);
    expect(noTokenizer.describe().operations).toEqual(['predict', 'stream', 'rollout']);
    expect(tagger.describe().operations).not.toContain('generate');
  });

  it('gives the library’s text and ids for the same seed: prompt b draws with seed + b', async () => {
    const options = [{}, { temperature: 0.7 }, { topK: 3 }, { topP: 0.8, temperature: 1.5 }, { strategy: 'greedy' as const }];
    for (const extra of options) {
      const answer = await run({ prompt: ['ab', '', 'b a'], maxLength: 25, seed: 11, ...extra });
      ['ab', '', 'b a'].forEach((prompt, b) => {
        const library = generate(charlm.model, { prompt, maxLength: 25, seed: 11 + b, ...extra });
        expect({ extra, b, text: answer.outputs[b], ids: answer.tokens[b] }).toEqual({ extra, b, text: library.text, ids: library.ids });
      });
    }
  });

  it('is deterministic, independent of the batch, stops at <eos> or maxLength', async () => {
    const one = await run({ prompt: 'a', maxLength: 40, seed: 5 });
    const again = await run({ prompt: ['a'], maxLength: 40, seed: 5 });
    const shifted = await run({ prompt: ['b', 'a'], maxLength: 40, seed: 4 });
    expect(again).toEqual(one);
    expect(shifted.tokens[1]).toEqual(one.tokens[0]);
    for (const seed of [0, 1, 2, 3]) {
      const { tokens, outputs } = await run({ prompt: ['', 'ab'], maxLength: 12, seed });
      for (const [b, ids] of tokens.entries()) {
        expect(ids.length).toBeLessThanOrEqual(12);
        expect(ids.slice(0, -1)).not.toContain(3);
        if (ids.length < 12) expect(ids.at(-1)).toBe(3);
        expect(outputs[b]).toBe(ids.filter((id) => id !== 0 && id !== 2 && id !== 3).map((id) => CHARLM_TOKENIZER.tokens[id]).join('')); // <unk> kept as written
      }
    }
    const { tokens } = await run({ maxLength: 30, stopAtEos: false, seed: 9 });
    expect(tokens[0]).toHaveLength(30);
  });

  it('answers bad requests with E_REQUEST or E_LIMIT, naming the field', async () => {
    const bad: [unknown, string, string][] = [
      [null, 'E_REQUEST', 'request'],
      [{ prompt: 'a', steps: 3 }, 'E_REQUEST', 'request.steps'],
      [{ prompt: 3 }, 'E_REQUEST', 'prompt'],
      [{ prompt: [] }, 'E_REQUEST', 'prompt'],
      [{ prompt: ['a', 7] }, 'E_REQUEST', 'prompt[1]'],
      [{ maxLength: 0 }, 'E_REQUEST', 'maxLength'],
      [{ maxLength: 2.5 }, 'E_REQUEST', 'maxLength'],
      [{ maxLength: 5000 }, 'E_LIMIT', 'maxLength'],
      [{ temperature: 0 }, 'E_REQUEST', 'temperature'],
      [{ temperature: -1 }, 'E_REQUEST', 'temperature'],
      [{ temperature: '1' }, 'E_REQUEST', 'temperature'],
      [{ topK: 0 }, 'E_REQUEST', 'topK'],
      [{ topK: 8 }, 'E_REQUEST', 'topK'],
      [{ topP: 0 }, 'E_REQUEST', 'topP'],
      [{ topP: 1.5 }, 'E_REQUEST', 'topP'],
      [{ strategy: 'beam' }, 'E_REQUEST', 'strategy'],
      [{ strategy: 'greedy', temperature: 0.5 }, 'E_REQUEST', 'temperature'],
      [{ seed: -1 }, 'E_REQUEST', 'seed'],
      [{ seed: Number.MAX_SAFE_INTEGER, prompt: ['a', 'b'] }, 'E_REQUEST', 'seed'],
      [{ stopAtEos: 'yes' }, 'E_REQUEST', 'stopAtEos'],
      [{ prompt: 'a'.repeat(5000) }, 'E_LIMIT', 'prompt'],
    ];
    for (const [request, code, where] of bad) {
      const error = await rejection(run(request)).catch((e) => ({ code: `resolved: ${JSON.stringify(request)} ${e}`, message: '' }));
      expect({ request, code: error.code, where: error.message.startsWith(`${where}:`) }).toEqual({ request, code, where: true });
    }
    expect(await codeOf(served.run('generate', { prompt: ['a', 'b', 'a'] }, { limits: { maxBatch: 2 } }))).toBe('E_LIMIT');
    expect(await codeOf(served.run('generate', { maxLength: 50 }, { limits: { maxElements: 20 } }))).toBe('E_LIMIT');
  });

  it('is E_UNSUPPORTED for a features model and for a token model without a tokenizer', async () => {
    expect(await codeOf(run({ prompt: 'a' }, tagger))).toBe('E_UNSUPPORTED');
    expect((await rejection(run({ prompt: 'a' }, noTokenizer))).message).toMatch(/no usable tokenizer/);
  });
});
