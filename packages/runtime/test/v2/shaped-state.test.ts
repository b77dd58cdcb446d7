import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, isRuntimeError, type UnfoldModel } from '../../src/index';
import { asUnfold, codeOf } from '../kit';
import { worstExcess } from '../models';
import { shapedReference, shapedStateModel } from './toy-models';

/** A hand-made v2 file whose state `memory` has the per-sequence shape [2, 3]: JSON [batch][2][3] in and out. */
const runtime = createRuntime(ort);
let model: UnfoldModel;

beforeAll(async () => {
  model = asUnfold(await runtime.load(shapedStateModel(), { name: 'shaped' }));
});

afterAll(() => model.release());

const first = [
  [
    [0.5, -1],
    [0.25, 0.75],
    [1, 2],
  ],
  [
    [-0.5, 0.5],
    [2, -3],
  ],
];
const second = [[[0.1, 0.2]], []];

describe('a v2 entry with a [2, 3] state', () => {
  it('describes its entry, tasks and state shape', () => {
    const description = model.describe();
    expect(description.operations).toEqual(['predict', 'stream', 'rollout']);
    expect(model.entries).toEqual(['main']);
    expect(description.entries).toEqual([expect.objectContaining({ name: 'main', tasks: ['predict', 'stream', 'rollout'], operations: ['predict', 'stream', 'rollout'], states: [{ path: 'memory', shape: [2, 3], size: 6 }] })]);
    expect(description.sequence).toMatchObject({ inputKind: 'features', inputSize: 2, outputSize: 2, readout: 'sequence', states: [{ path: 'memory', size: 6 }] });
  });

  it('streams with the state as nested [batch][2][3] arrays, round-tripped through JSON', async () => {
    const one = await model.stream({ inputs: first });
    const expectedOne = shapedReference(first);
    expect(worstExcess(one.outputs, expectedOne.outputs)).toBeLessThanOrEqual(0);
    expect(worstExcess(one.state.memory, expectedOne.state)).toBeLessThanOrEqual(0);
    const sent = JSON.parse(JSON.stringify(one.state)) as typeof one.state;
    const two = await model.stream({ inputs: second, state: sent });
    const expectedTwo = shapedReference(second, sent.memory as number[][][]);
    expect(worstExcess(two.outputs, expectedTwo.outputs)).toBeLessThanOrEqual(0);
    expect(worstExcess(two.state.memory, expectedTwo.state)).toBeLessThanOrEqual(0);
    expect(two.state.memory?.[1]).toEqual(sent.memory?.[1]); // an empty chunk leaves its sequence's state as it was
  });

  it('broadcasts one [1][2][3] block to every sequence', async () => {
    const block = [
      [
        [1, 0, 0],
        [0, 0, -2],
      ],
    ];
    const result = await model.stream({ inputs: first, state: { memory: block } });
    const expected = shapedReference(first, block);
    expect(worstExcess(result.outputs, expected.outputs)).toBeLessThanOrEqual(0);
    expect(worstExcess(result.state.memory, expected.state)).toBeLessThanOrEqual(0);
  });

  it('names expected and received shapes when a state block is wrong', async () => {
    const bad = async (memory: unknown) => {
      try {
        await model.stream({ inputs: first, state: { memory } as never });
      } catch (error) {
        if (isRuntimeError(error)) return error;
      }
      throw new Error('expected a RuntimeError');
    };
    const short = await bad([[[0, 0, 0]], [[0, 0, 0]]]);
    expect(short.code).toBe('E_SHAPE');
    expect(short.details).toMatchObject({ where: 'state["memory"][0]', expected: '2 entries on axis 1 of [batch, 2, 3]', got: '1' });
    const narrow = await bad([[[0, 0], [0, 0]]]);
    expect(narrow.details).toMatchObject({ where: 'state["memory"][0][0]', expected: '3 entries on axis 2 of [batch, 2, 3]', got: '2' });
    expect((await bad([[0, 0, 0, 0, 0, 0]])).details).toMatchObject({ expected: '2 entries on axis 1 of [batch, 2, 3]', got: '6' });
    const scalar = await bad([[[0, 0, 0], 5]]);
    expect(scalar).toMatchObject({ code: 'E_SHAPE', details: { where: 'state["memory"][0][1]', expected: 'an array of 3 numbers', got: '5' } });
    expect((await bad([1])).details).toMatchObject({ expected: 'an array of 2 arrays (per-sequence shape [2, 3])' });
    expect((await bad([[[0, 0, 0], [0, Number.NaN, 0]]])).code).toBe('E_NON_FINITE');
    expect(await codeOf(model.stream({ inputs: first, state: { memory: [[[0, 0, 0], [0, 0, 0]]], other: [] } as never }))).toBe('E_REQUEST');
  });

  it('predicts from fresh state, and rolls out returning the shaped state', async () => {
    expect(worstExcess((await model.predict({ inputs: first })).outputs, shapedReference(first).outputs)).toBeLessThanOrEqual(0);
    const rolled = await model.rollout({ inputs: [[[0.5, 0.5]]], steps: 3 });
    expect(rolled.kind).toBe('features');
    const memory = rolled.state?.memory as number[][][];
    expect(memory.length).toBe(1);
    expect(memory[0]?.map((row) => row.length)).toEqual([3, 3]);
    // Step by step with stream gives the same state: context, then two one-step calls fed with the outputs.
    let state = (await model.stream({ inputs: [[[0.5, 0.5]]] })).state;
    const generated = (rolled as { outputs: number[][][] }).outputs[0] as number[][];
    for (const step of generated.slice(0, 2)) state = (await model.stream({ inputs: [[step]], state })).state;
    expect(worstExcess(memory, state.memory)).toBeLessThanOrEqual(0);
  });
});
