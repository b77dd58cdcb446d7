import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type GraphModel } from '../src/index';
import { asGraph, codeOf, nest } from './kit';
import { referenceModel, worstExcess } from './models';

/**
 * Models without unfold metadata, served from what the graph says. The PyTorch files and their expected
 * outputs are the ONNX package's fixtures (tools/fixtures/generate_torch_onnx.py, torch 1.13 eager).
 */
const FIXTURES = join(import.meta.dirname, '../../onnx/test/fixtures/torch-onnx');

interface FixtureTensor {
  readonly shape: number[];
  readonly data: number[];
}
interface Fixture {
  readonly inputNames: string[];
  readonly outputNames: string[];
  readonly cases: { readonly inputs: Record<string, FixtureTensor>; readonly outputs: Record<string, FixtureTensor> }[];
}

const runtime = createRuntime(ort);
const models: Record<string, GraphModel> = {};
const fixtures: Record<string, Fixture> = {};
const NAMES = ['lstm', 'lstm_bidir_packed_unsorted_h0c0_batch_first', 'tagger_gru_bidir_2layer_packed_batch_first'];

beforeAll(async () => {
  for (const name of NAMES) {
    fixtures[name] = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Fixture;
    models[name] = asGraph(await runtime.load(new Uint8Array(readFileSync(join(FIXTURES, `${name}.onnx`))), { name }));
  }
});

afterAll(async () => {
  for (const model of Object.values(models)) await model.release();
});

describe('PyTorch-exported recurrent models, inputs described by the graph', () => {
  it('describes the graph’s own inputs and outputs, symbolic dims included', () => {
    const description = models.lstm_bidir_packed_unsorted_h0c0_batch_first!.describe();
    expect(description).toMatchObject({ format: 'onnx', operations: ['predict'], producer: expect.stringContaining('pytorch') });
    expect(description.inputs.map((i) => [i.name, i.dtype, i.shape])).toEqual([
      ['x', 'float32', ['batch', 'time', 3]],
      ['lengths', 'int64', ['batch']],
      ['h0', 'float32', [2, 'batch', 4]],
      ['c0', 'float32', [2, 'batch', 4]],
    ]);
  });

  for (const name of NAMES) {
    it(`${name}: matches PyTorch at two batch and time sizes`, async () => {
      for (const testCase of fixtures[name]!.cases) {
        const inputs = Object.fromEntries(Object.entries(testCase.inputs).map(([key, tensor]) => [key, nest(tensor)]));
        const { outputs } = await models[name]!.predict({ inputs });
        expect(Object.keys(outputs).sort()).toEqual([...fixtures[name]!.outputNames].sort());
        for (const [key, tensor] of Object.entries(testCase.outputs)) expect(worstExcess(outputs[key], nest(tensor))).toBeLessThanOrEqual(0);
      }
    });
  }

  it('checks named inputs against the graph before running it', async () => {
    const model = models.lstm_bidir_packed_unsorted_h0c0_batch_first!;
    const good = Object.fromEntries(Object.entries(fixtures[model.name]!.cases[0]!.inputs).map(([key, tensor]) => [key, nest(tensor)])) as Record<string, unknown>;
    const with_ = (patch: Record<string, unknown>) => model.predict({ inputs: { ...good, ...patch } });
    expect(await codeOf(model.predict({ inputs: { x: good.x } }))).toBe('E_REQUEST'); // lengths, h0, c0 missing
    expect(await codeOf(with_({ y: 1 }))).toBe('E_REQUEST');
    expect(await codeOf(model.predict({ inputs: [good.x] as never }))).toBe('E_REQUEST');
    expect(await codeOf(with_({ x: [good.x] }))).toBe('E_SHAPE'); // rank 4
    expect(await codeOf(with_({ x: [[[1, 2]]] }))).toBe('E_SHAPE'); // fixed dim 3
    expect(await codeOf(with_({ lengths: [5, 3, 1] }))).toBe('E_SHAPE'); // "batch" is 2 in x
    expect(await codeOf(with_({ lengths: [5, 2.5] }))).toBe('E_DTYPE');
    expect(await codeOf(with_({ lengths: [5, null] }))).toBe('E_NON_FINITE');
    expect(await codeOf(with_({ x: (good.x as number[][][]).map((s) => s.map(() => [0, Number.NaN, 0])) }))).toBe('E_NON_FINITE');
    expect(await codeOf(with_({ x: [[[0, 0, 0], [0, 0]]] }))).toBe('E_SHAPE'); // ragged
    await expect(model.predict({ inputs: good }, { limits: { maxElements: 10 } })).rejects.toMatchObject({ code: 'E_LIMIT' });
  });

  it('reports values only onnxruntime can judge as the caller’s E_GRAPH_RUN, and keeps serving', async () => {
    const model = models.lstm_bidir_packed_unsorted_h0c0_batch_first!;
    const inputs = Object.fromEntries(Object.entries(fixtures[model.name]!.cases[0]!.inputs).map(([key, tensor]) => [key, nest(tensor)]));
    expect(await codeOf(model.predict({ inputs: { ...inputs, lengths: [50, 3] } }))).toBe('E_GRAPH_RUN');
    expect(worstExcess((await model.predict({ inputs })).outputs.y, nest(fixtures[model.name]!.cases[0]!.outputs.y!))).toBeLessThanOrEqual(0);
  });

  it('serves an unfold export as a plain graph on request', async () => {
    const reference = await referenceModel('tagger');
    const model = asGraph(await runtime.load(reference.bytes, { name: 'plain', format: 'onnx' }));
    const x = [[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]];
    const zeros = [[0, 0, 0, 0, 0]];
    const { outputs } = await model.predict({ inputs: { input: x, sequence_lens: [2], 'state_in.body.h': zeros, 'state_in.body.c': zeros } });
    expect(worstExcess(outputs.output, reference.forward(x).outputs)).toBeLessThanOrEqual(0);
    await model.release();
    reference.model.dispose();
  });
});
