import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type RolloutResult, type UnfoldModel } from '../src/index';
import { asUnfold, codeOf } from './kit';
import { FORECASTER_METADATA, randomSequences, referenceModel, worstExcess, type ReferenceModel } from './models';

const runtime = createRuntime(ort);
const refs: Record<string, ReferenceModel> = {};
const served: Record<string, UnfoldModel> = {};

beforeAll(async () => {
  for (const name of ['forecaster', 'tagger', 'charlm'] as const) {
    refs[name] = await referenceModel(name);
    served[name] = asUnfold(await runtime.load(refs[name].bytes, { name }));
  }
});

afterAll(async () => {
  for (const model of Object.values(served)) await model.release();
  for (const ref of Object.values(refs)) ref.model.dispose();
});

/** unfold's forward, one step at a time, carrying state: the rollout's reference. */
function stateRollout(ref: ReferenceModel, context: number[][][], steps: number, choose: (row: number[]) => number[] | number): (number[] | number)[][] {
  let { outputs, states } = ref.forward(context);
  const generated: (number[] | number)[][] = context.map(() => []);
  for (let k = 0; k < steps; k++) {
    const next = outputs.map((rows) => choose(rows[rows.length - 1]!));
    next.forEach((v, b) => generated[b]!.push(v));
    ({ outputs, states } = ref.forward(next.map((v) => [v]), states));
  }
  return generated;
}

function features(result: RolloutResult): number[][][] {
  if (result.kind !== 'features') throw new Error('expected features');
  return result.outputs;
}

function tokens(result: RolloutResult): number[][] {
  if (result.kind !== 'tokens') throw new Error('expected tokens');
  return result.tokens;
}

const argmax = (row: number[]) => row.indexOf(Math.max(...row));

describe('rollout of a features model', () => {
  it('feeds outputs back with the state carried, as unfold’s step-by-step forward does', async () => {
    const context = randomSequences(8, [4, 2], 3);
    const result = await served.tagger!.rollout({ inputs: context, steps: 6 });
    expect(worstExcess(features(result), stateRollout(refs.tagger!, context, 6, (row) => row))).toBeLessThanOrEqual(0);
    // The state is the one after the context and the first 5 outputs: continuing from the last output goes on.
    const next = await served.tagger!.rollout({ inputs: features(result).map((rows) => [rows[5]!]), state: result.state!, steps: 2 });
    const longer = await served.tagger!.rollout({ inputs: context, steps: 8 });
    expect(worstExcess(features(next), features(longer).map((rows) => rows.slice(6)))).toBeLessThanOrEqual(0);
  });

  it('rolls a forecaster forward in data units with a sliding window, as it was trained', async () => {
    const { mean, std } = FORECASTER_METADATA.normalisation;
    const z = randomSequences(9, [8], 1)[0]!.map(([v]) => v as number);
    const result = await served.forecaster!.rollout({ inputs: [z.map((v) => v * std + mean)], steps: 5, feedback: 'window' });
    expect(result.state).toBeUndefined();
    const history = [...z];
    const expected: number[][] = [];
    for (let k = 0; k < 5; k++) {
      const window = history.slice(-FORECASTER_METADATA.window).map((v) => [v]);
      const [[prediction]] = refs.forecaster!.forward([window]).outputs[0]! as [[number]];
      expected.push([prediction * std + mean]);
      history.push(prediction);
    }
    expect(worstExcess(features(result), [expected], 1e-4, 1e-5)).toBeLessThanOrEqual(0);
  });

  it('is deterministic', async () => {
    const context = randomSequences(10, [3], 3);
    const a = await served.tagger!.rollout({ inputs: context, steps: 20 });
    const b = await served.tagger!.rollout({ inputs: context, steps: 20 });
    expect(a).toEqual(b);
  });
});

describe('rollout of a token model', () => {
  it('greedy takes the most likely token each step', async () => {
    const context = [[1, 2, 3], [4]];
    const result = await served.charlm!.rollout({ inputs: context, steps: 8 });
    expect(tokens(result)).toEqual(stateRollout(refs.charlm!, context.map((s) => s.map((id) => [id])), 8, argmax));
  });

  it('samples reproducibly from a seed; topK 1 is greedy', async () => {
    const request = { inputs: [[1, 2], [3, 0, 6]], steps: 30, sampling: { strategy: 'sample', temperature: 1.5, seed: 42 } } as const;
    const a = tokens(await served.charlm!.rollout(request));
    const b = tokens(await served.charlm!.rollout(request));
    const other = tokens(await served.charlm!.rollout({ ...request, sampling: { ...request.sampling, seed: 43 } }));
    expect(a).toEqual(b);
    expect(other).not.toEqual(a);
    expect(new Set(a.flat()).size).toBeGreaterThan(2);
    const top1 = tokens(await served.charlm!.rollout({ ...request, sampling: { strategy: 'sample', topK: 1, seed: 7 } }));
    const greedy = tokens(await served.charlm!.rollout({ inputs: request.inputs, steps: 30 }));
    expect(top1).toEqual(greedy);
    const top2 = tokens(await served.charlm!.rollout({ ...request, sampling: { strategy: 'sample', topK: 2, seed: 7 } }));
    expect(top2.flat().every((t) => t >= 0 && t < 7)).toBe(true);
  });
});

describe('rollout requests are checked', () => {
  const cases: [string, string, Record<string, unknown>, string][] = [
    ['no steps', 'tagger', { inputs: [[[0, 0, 0]]] }, 'E_REQUEST'],
    ['zero steps', 'tagger', { inputs: [[[0, 0, 0]]], steps: 0 }, 'E_REQUEST'],
    ['fractional steps', 'tagger', { inputs: [[[0, 0, 0]]], steps: 1.5 }, 'E_REQUEST'],
    ['a huge rollout', 'tagger', { inputs: [[[0, 0, 0]]], steps: 1e9 }, 'E_LIMIT'],
    ['a rollout whose windows add up beyond maxElements', 'forecaster', { inputs: [[1]], steps: 100, feedback: 'window', window: 4000 }, 'E_LIMIT'],
    ['sampling for a features model', 'tagger', { inputs: [[[0, 0, 0]]], steps: 1, sampling: { strategy: 'sample' } }, 'E_UNSUPPORTED'],
    ['a window without metadata', 'tagger', { inputs: [[[0, 0, 0]]], steps: 1, feedback: 'window' }, 'E_REQUEST'],
    ['a window with state feedback', 'forecaster', { inputs: [[1]], steps: 1, window: 3 }, 'E_REQUEST'],
    ['state with window feedback', 'forecaster', { inputs: [[1]], steps: 1, feedback: 'window', state: null }, 'E_REQUEST'],
    ['an unknown strategy', 'charlm', { inputs: [[1]], steps: 1, sampling: { strategy: 'beam' } }, 'E_REQUEST'],
    ['a zero temperature', 'charlm', { inputs: [[1]], steps: 1, sampling: { strategy: 'sample', temperature: 0 } }, 'E_REQUEST'],
    ['topK above the vocabulary', 'charlm', { inputs: [[1]], steps: 1, sampling: { strategy: 'sample', topK: 8 } }, 'E_REQUEST'],
    ['temperature with greedy', 'charlm', { inputs: [[1]], steps: 1, sampling: { temperature: 2 } }, 'E_REQUEST'],
    ['a negative seed', 'charlm', { inputs: [[1]], steps: 1, sampling: { strategy: 'sample', seed: -1 } }, 'E_REQUEST'],
    ['a token out of range', 'charlm', { inputs: [[9]], steps: 1 }, 'E_TOKEN_RANGE'],
  ];
  for (const [what, model, request, code] of cases) {
    it(`rejects ${what} with ${code}`, async () => {
      expect(await codeOf(served[model]!.rollout(request as never, { limits: { maxRolloutSteps: 100, maxElements: 100_000 } }))).toBe(code);
    });
  }
});
