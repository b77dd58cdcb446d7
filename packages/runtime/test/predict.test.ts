import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type UnfoldModel } from '../src/index';
import { asUnfold, rejection } from './kit';
import { FORECASTER_METADATA, randomSequences, referenceModel, worstExcess, type ReferenceModel } from './models';

const runtime = createRuntime(ort);
const references: Partial<Record<'forecaster' | 'tagger' | 'charlm', ReferenceModel>> = {};
const served: Partial<Record<'forecaster' | 'tagger' | 'charlm', UnfoldModel>> = {};

beforeAll(async () => {
  for (const name of ['forecaster', 'tagger', 'charlm'] as const) {
    const reference = await referenceModel(name);
    references[name] = reference;
    served[name] = asUnfold(await runtime.load(reference.bytes, { name }));
  }
});

afterAll(async () => {
  for (const model of Object.values(served)) await model?.release();
  for (const reference of Object.values(references)) reference?.model.dispose();
});

describe('predict on unfold exports', () => {
  it('matches unfold forward for a batch of variable-length sequences, outputs cut to each length', async () => {
    const inputs = randomSequences(1, [4, 1, 7], 3);
    const { outputs } = await served.tagger!.predict({ inputs });
    expect(outputs.map((o) => o.length)).toEqual([4, 1, 7]);
    expect(worstExcess(outputs, references.tagger!.forward(inputs).outputs)).toBeLessThanOrEqual(0);
  });
});

describe('predict: more model kinds', () => {
  it('reads the forecaster in data units by default and in model units on request', async () => {
    const { mean, std } = FORECASTER_METADATA.normalisation;
    const z = randomSequences(2, [6, 3], 1);
    const data = z.map((s) => s.map(([v]) => (v as number) * std + mean)); // bare numbers: I = 1
    const expected = references.forecaster!.forward(z).outputs;
    const normalised = await served.forecaster!.predict({ inputs: z, units: 'normalised' });
    expect(worstExcess(normalised.outputs, expected)).toBeLessThanOrEqual(0);
    await expect(served.forecaster!.predict({ inputs: [[1, null]] as never })).rejects.toMatchObject({ code: 'E_NON_FINITE', details: { where: 'inputs[0][1]' } });
    await expect(served.forecaster!.predict({ inputs: [[1, {}]] as never })).rejects.toMatchObject({ code: 'E_SHAPE' });
    await expect(served.forecaster!.predict({ inputs: [[1e308]] })).rejects.toMatchObject({ code: 'E_NON_FINITE' }); // finite, but not after z-scoring in float32
    const inData = await served.forecaster!.predict({ inputs: data });
    expect(inData.outputs.map((o) => o.length)).toEqual([1, 1]); // readout "last": one row each
    const back = inData.outputs.map((rows) => rows.map((row) => row.map((x) => (x - mean) / std)));
    expect(worstExcess(back, expected, 1e-4, 1e-4)).toBeLessThanOrEqual(0);
  });

  it('runs a token model on integer ids', async () => {
    const inputs = [[0, 3, 6, 2], [5], [1, 1, 4]];
    const { outputs } = await served.charlm!.predict({ inputs });
    expect(worstExcess(outputs, references.charlm!.forward(inputs).outputs)).toBeLessThanOrEqual(0);
    for (const row of outputs.flat()) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('answers interleaved concurrent calls, failing ones included, as if they ran alone', async () => {
    const batches = [1, 2, 3, 4, 5, 6].map((seed) => randomSequences(seed, [seed, 2], 3));
    const alone: number[][][][] = [];
    for (const inputs of batches) alone.push((await served.tagger!.predict({ inputs })).outputs);
    const mixed = await Promise.allSettled(batches.flatMap((inputs) => [served.tagger!.predict({ inputs }), served.tagger!.predict({ inputs: [[[Number.NaN, 0, 0]]] })]));
    mixed.forEach((result, i) => {
      if (i % 2 === 1) expect(result.status).toBe('rejected');
      else expect(result.status === 'fulfilled' && result.value.outputs).toEqual(alone[i / 2]);
    });
  });
});

describe('predict: every bad input is a typed error before onnxruntime runs', () => {
  const cases: [string, unknown, string][] = [
    ['not an object', [[1, 2, 3]], 'E_REQUEST'],
    ['no inputs', {}, 'E_REQUEST'],
    ['an unknown field', { inputs: [[[0, 0, 0]]], input: 1 }, 'E_REQUEST'],
    ['inputs not an array', { inputs: 'abc' }, 'E_REQUEST'],
    ['an unknown unit', { inputs: [[[0, 0, 0]]], units: 'kelvin' }, 'E_REQUEST'],
    ['an empty batch', { inputs: [] }, 'E_SHAPE'],
    ['an empty sequence', { inputs: [[[0, 0, 0]], []] }, 'E_SHAPE'],
    ['a sequence that is not an array', { inputs: [5] }, 'E_SHAPE'],
    ['a step with too few features', { inputs: [[[0, 0]]] }, 'E_SHAPE'],
    ['a bare number where 3 features belong', { inputs: [[1, 2]] }, 'E_SHAPE'],
    ['a string value', { inputs: [[[0, '1', 0]]] }, 'E_DTYPE'],
    ['a NaN', { inputs: [[[0, Number.NaN, 0]]] }, 'E_NON_FINITE'],
    ['a JSON null (NaN serialised)', { inputs: [[[0, null, 0]]] }, 'E_NON_FINITE'],
    ['an Infinity from 1e999', { inputs: [[[0, JSON.parse('1e999'), 0]]] }, 'E_NON_FINITE'],
    ['a value beyond float32', { inputs: [[[0, 1e39, 0]]] }, 'E_NON_FINITE'],
    ['a "NaN" string', { inputs: [[[0, 'NaN', 0]]] }, 'E_NON_FINITE'],
  ];
  for (const [what, request, code] of cases) {
    it(`rejects ${what} with ${code}`, async () => {
      expect((await rejection(served.tagger!.predict(request as never))).code).toBe(code);
    });
  }

  it('names the place and the expectation in the message', async () => {
    const { message } = await rejection(served.tagger!.predict({ inputs: [[[0, 0, 0]], [[0, 0, 0], [0, 0]]] }));
    expect(message).toMatch(/^inputs\[1\]\[1\]: a step has the wrong number of features; expected an array of 3 numbers; got an array of 2/);
  });

  it('checks token ids: integers in [0, V)', async () => {
    expect((await rejection(served.charlm!.predict({ inputs: [[0, 7]] }))).code).toBe('E_TOKEN_RANGE');
    expect((await rejection(served.charlm!.predict({ inputs: [[-1]] }))).code).toBe('E_TOKEN_RANGE');
    expect((await rejection(served.charlm!.predict({ inputs: [[1.5]] }))).code).toBe('E_DTYPE');
    expect((await rejection(served.charlm!.predict({ inputs: [[[1]]] }))).code).toBe('E_DTYPE');
  });

  it('enforces the caller’s caps on batch, length and elements', async () => {
    const limits = { maxBatch: 2, maxTime: 5, maxElements: 24 };
    const batch = await rejection(served.tagger!.predict({ inputs: randomSequences(1, [1, 1, 1], 3) }, { limits }));
    expect(batch).toMatchObject({ code: 'E_LIMIT' });
    expect(batch.message).toContain('maxBatch');
    expect((await rejection(served.tagger!.predict({ inputs: randomSequences(1, [6], 3) }, { limits }))).message).toContain('maxTime');
    expect((await rejection(served.tagger!.predict({ inputs: randomSequences(1, [5, 1], 3) }, { limits }))).message).toContain('maxElements');
    expect((await rejection(served.tagger!.predict({ inputs: randomSequences(1, [1], 3) }, { limits: { maxBatch: 0 } }))).code).toBe('E_REQUEST');
  });
});
