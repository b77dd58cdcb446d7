import { createRegistry, isUnfoldError, setupBackend, type ModelSpec } from '@unfold/core';
import { heads, layers } from '@unfold/architectures';
import { cells } from '@unfold/cells/all';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel, freeRun, generate, type Model } from '../src/index';

const registry = createRegistry([...cells, ...layers, ...heads]);
const TOKENIZER = { kind: 'char', tokens: ['<pad>', '<unk>', '<bos>', '<eos>', 'a', 'b', 'c', ' '] };

function lm(metadata: Record<string, unknown> = { tokenizer: TOKENIZER }, activation = 'linear'): ModelSpec {
  return {
    kind: 'sequence-model',
    config: { readout: 'sequence' },
    children: {
      input: { kind: 'embedding', config: { vocabularySize: 8, embeddingSize: 4 } },
      body: { kind: 'gru', config: { inputSize: 4, hiddenSize: 6 } },
      output: { kind: 'dense', config: { inputSize: 6, outputSize: 8, activation } },
    },
    metadata,
  } as ModelSpec;
}

let model: Model;
beforeAll(async () => {
  await setupBackend({ backend: 'cpu' });
  model = createModel(registry, lm(), { seed: 3 });
});
afterAll(() => model.dispose());

const codeOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    return isUnfoldError(error) ? `${error.code} ${error.message.split(';')[0]}` : String(error);
  }
  return 'no error';
};

describe('generate', () => {
  it('turns a prompt into text, deterministic for a seed', () => {
    const a = generate(model, { prompt: 'ab', maxLength: 30, seed: 4 });
    expect(generate(model, { prompt: 'ab', maxLength: 30, seed: 4 })).toEqual(a);
    expect(a.promptIds).toEqual([2, 4, 5]);
    expect(a.ids.length).toBeLessThanOrEqual(30);
    expect(a.stopReason === 'eos' ? a.ids.at(-1) : a.ids.length).toBe(a.stopReason === 'eos' ? 3 : 30);
    const seeds = new Set(Array.from({ length: 8 }, (_, seed) => generate(model, { maxLength: 30, seed }).ids.join()));
    expect(seeds.size).toBeGreaterThan(4);
    // Ids are read as given; a string prompt is the same ids after <bos>.
    expect(generate(model, { prompt: [2, 4, 5], maxLength: 30, seed: 4 }).ids).toEqual(a.ids);
  });

  it('decodes what it generates; greedy is the argmax; stopAtEos false runs to maxLength', () => {
    const greedy = generate(model, { strategy: 'greedy', maxLength: 10 });
    expect(generate(model, { strategy: 'greedy', maxLength: 10, seed: 99 })).toEqual(greedy);
    expect(generate(model, { maxLength: 25, stopAtEos: false, seed: 1 }).ids).toHaveLength(25);
    const sampled = generate(model, { maxLength: 25, stopAtEos: false, seed: 1, topK: 1 });
    expect(sampled.ids).toEqual(generate(model, { strategy: 'greedy', maxLength: 25, stopAtEos: false }).ids); // top-1 sampling is greedy
    expect(sampled.text).toBe(sampled.ids.filter((id) => ![0, 2, 3].includes(id)).map((id) => TOKENIZER.tokens[id]).join(''));
  });

  it('gives typed errors for bad values and for models it cannot drive', () => {
    expect(codeOf(() => generate(model, { maxLength: 5, temperature: 0 }))).toMatch(/^E_CONFIG generate: temperature: invalid temperature/);
    expect(codeOf(() => generate(model, { maxLength: 5, temperature: -1 }))).toMatch(/^E_CONFIG .*temperature/);
    expect(codeOf(() => generate(model, { maxLength: 5, topK: 0 }))).toMatch(/^E_CONFIG .*topK/);
    expect(codeOf(() => generate(model, { maxLength: 5, topK: 9 }))).toMatch(/^E_CONFIG .*topK/);
    expect(codeOf(() => generate(model, { maxLength: 5, topP: 0 }))).toMatch(/^E_CONFIG .*topP/);
    expect(codeOf(() => generate(model, { maxLength: 0 }))).toMatch(/^E_CONFIG .*maxLength/);
    expect(codeOf(() => generate(model, { maxLength: 5, seed: -1 }))).toMatch(/^E_CONFIG .*seed/);
    expect(codeOf(() => generate(model, { maxLength: 5, strategy: 'greedy', temperature: 0.5 }))).toMatch(/^E_CONFIG .*temperature applies to sampling only/);
    expect(codeOf(() => generate(model, { maxLength: 5, prompt: [2, 8] }))).toMatch(/^E_DATA generate: prompt\[1\]/);
    const bare = createModel(registry, lm({}), { seed: 3 });
    expect(codeOf(() => generate(bare, { maxLength: 5 }))).toMatch(/^E_CONFIG .*the model has no tokenizer/);
    bare.dispose();
    const forecaster = createModel(registry, { kind: 'sequence-model', config: { readout: 'sequence' }, children: { body: { kind: 'gru', config: { inputSize: 1, hiddenSize: 4 } }, output: { kind: 'dense', config: { inputSize: 4, outputSize: 1 } } }, metadata: { tokenizer: TOKENIZER } }, { seed: 1 });
    expect(codeOf(() => generate(forecaster, { maxLength: 5 }))).toMatch(/^E_CONFIG .*needs a token language model/);
    expect(freeRun(forecaster, [[0.1], [0.2]], 3)).toHaveLength(3); // freeRun still drives a features model
    forecaster.dispose();
  });

  it('freeRun on a token model is a typed config error that points to generate, not a raw tfjs error', () => {
    let caught: unknown;
    try {
      freeRun(model, [[2], [4]], 3);
    } catch (error) {
      caught = error;
    }
    expect(isUnfoldError(caught) && caught.code).toBe('E_CONFIG');
    expect(String((caught as Error).message)).toMatch(/use generate/);
  });

  it('reads a softmax head’s probabilities as well as logits', () => {
    const softmax = createModel(registry, lm({ tokenizer: TOKENIZER }, 'softmax'), { seed: 3 });
    expect(generate(softmax, { prompt: 'a', maxLength: 12, seed: 2 }).ids.length).toBeGreaterThan(0);
    softmax.dispose();
  });
});
