import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type LoadedModel, type UnfoldModel } from '../src/index';
import { asUnfold, codeOf, streamInChunks } from './kit';
import { randomSequences, referenceModel, worstExcess, type ReferenceModel } from './models';

const runtime = createRuntime(ort);
let tagger: ReferenceModel;
let charlm: ReferenceModel;
let servedTagger: UnfoldModel;
let servedCharlm: UnfoldModel;
let stateless: LoadedModel;

beforeAll(async () => {
  tagger = await referenceModel('tagger');
  charlm = await referenceModel('charlm');
  servedTagger = asUnfold(await runtime.load(tagger.bytes, { name: 'tagger' }));
  servedCharlm = asUnfold(await runtime.load(charlm.bytes, { name: 'charlm' }));
  const noState = await referenceModel('tagger', 5, { initialStates: false });
  stateless = await runtime.load(noState.bytes, { name: 'no-state' });
  noState.model.dispose();
});

afterAll(async () => {
  await Promise.all([servedTagger.release(), servedCharlm.release(), stateless.release()]);
  tagger.model.dispose();
  charlm.model.dispose();
});

describe('stream', () => {
  it('three chunks give the outputs and final state of one call (features, lengths 9, 5, 7)', async () => {
    const inputs = randomSequences(3, [9, 5, 7], 3);
    const whole = await servedTagger.stream({ inputs });
    const { outputs, state } = await streamInChunks(servedTagger, inputs, [3, 3, 3]);
    expect(worstExcess(outputs, whole.outputs)).toBeLessThanOrEqual(0);
    expect(worstExcess(Object.values(state ?? {}), Object.values(whole.state))).toBeLessThanOrEqual(0);
    const reference = tagger.forward(inputs);
    expect(worstExcess(whole.outputs, reference.outputs)).toBeLessThanOrEqual(0);
    expect(Object.keys(whole.state)).toEqual(['body.h', 'body.c']);
    expect(worstExcess(Object.values(whole.state), reference.states)).toBeLessThanOrEqual(0);
  });

  it('continues from a given state as unfold does', async () => {
    const inputs = randomSequences(4, [2, 4], 3);
    const initial = [randomSequences(5, [2], 5)[0]!, randomSequences(6, [2], 5)[0]!];
    const result = await servedTagger.stream({ inputs, state: { 'body.h': initial[0]!, 'body.c': initial[1]! } });
    const reference = tagger.forward(inputs, initial);
    expect(worstExcess(result.outputs, reference.outputs)).toBeLessThanOrEqual(0);
    expect(worstExcess(Object.values(result.state), reference.states)).toBeLessThanOrEqual(0);
  });

  it('streams token ids in chunks', async () => {
    const inputs = [[1, 2, 3, 4, 5, 6], [6, 5, 4]];
    const whole = await servedCharlm.stream({ inputs });
    const { outputs, state } = await streamInChunks(servedCharlm, inputs, [1, 3, 2]);
    expect(worstExcess(outputs, whole.outputs)).toBeLessThanOrEqual(0);
    expect(worstExcess(Object.values(state ?? {}), Object.values(whole.state))).toBeLessThanOrEqual(0);
  });

  it('checks the state against the model', async () => {
    const inputs = [[[0, 0, 0]]];
    const row = [[0, 0, 0, 0, 0]];
    const withState = (state: unknown) => codeOf(servedTagger.stream({ inputs, state: state as never }));
    expect(await withState({ 'body.h': row })).toBe('E_REQUEST'); // body.c missing
    expect(await withState({ 'body.h': row, 'body.c': row, 'body.x': row })).toBe('E_REQUEST');
    expect(await withState({ 'body.h': [[0, 0]], 'body.c': row })).toBe('E_SHAPE');
    expect(await withState({ 'body.h': [...row, ...row], 'body.c': row })).toBe('E_SHAPE'); // 2 rows for a batch of 1
    expect(await withState({ 'body.h': [[0, 0, Number.POSITIVE_INFINITY, 0, 0]], 'body.c': row })).toBe('E_NON_FINITE');
    expect(await withState([row])).toBe('E_REQUEST');
    expect(await withState(null)).toBe('resolved'); // null: start fresh
  });

  it('is unsupported for a model exported without state inputs, while predict still works', async () => {
    expect(stateless.describe().operations).toEqual(['predict', 'rollout']);
    if (stateless.format !== 'unfold') throw new Error('expected an unfold model');
    await expect(stateless.stream({ inputs: [[[0, 0, 0]]] })).rejects.toMatchObject({ code: 'E_UNSUPPORTED' });
    const inputs = randomSequences(7, [3, 2], 3);
    expect(worstExcess((await stateless.predict({ inputs })).outputs, tagger.forward(inputs).outputs)).toBeLessThanOrEqual(0);
  });
});
