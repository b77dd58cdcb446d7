import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRuntime, type Runtime, type UnfoldModel } from '@unfold/runtime';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { translate } from '@unfold/training';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsRuntime, OrtName } from '../../src/node';
import { nest } from '../../../../packages/runtime/test/kit';
import { randomSequences, worstExcess } from '../../../../packages/runtime/test/models';
import { call, post, serverSentEvents, type Answer } from './client';
import { hostileSetFailures } from './hostile';
import { TORCH_FIXTURES, writeModelFolder, type ModelFolder } from './fixtures';
import { bundleEntry, startEntry, type RunningEntry } from './servers';

/**
 * The end-to-end suite every runtime passes: real server processes on 127.0.0.1, each started once per
 * test file, answering predict, stream and rollout as unfold's own forward pass does, and every bad
 * request with its documented status and code. Rollouts are compared with the runtime package run in
 * this process on both onnxruntime flavours: bit-identical to the same flavour, within the tolerance of
 * the other.
 */
export interface Target {
  readonly runtime: JsRuntime;
  readonly ort: OrtName;
}

export interface Served {
  readonly folder: ModelFolder;
  readonly servers: readonly RunningEntry[];
}

/** Caps the servers run with, small enough to exceed cheaply. */
export const TEST_LIMITS = { maxBodyBytes: 65_536, maxBatch: 16, maxRolloutSteps: 256 };
const FLAGS = ['--max-body-bytes', String(TEST_LIMITS.maxBodyBytes), '--max-batch', String(TEST_LIMITS.maxBatch), '--max-rollout-steps', String(TEST_LIMITS.maxRolloutSteps)];

const ROLLOUTS = {
  tagger: { inputs: randomSequences(31, [4, 2], 3), steps: 20 },
  forecaster: { inputs: [[0.7, 0.8, 0.95, 1.1, 1.2, 1.15, 1.0]], steps: 12, feedback: 'window' },
  charlm: { inputs: [[1, 2, 3], [6]], steps: 25, sampling: { strategy: 'sample', temperature: 1.3, topK: 5, seed: 77 } },
} as const;

async function referenceRollouts(runtime: Runtime, folder: ModelFolder): Promise<Record<keyof typeof ROLLOUTS, unknown>> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(ROLLOUTS) as (keyof typeof ROLLOUTS)[]) {
    const model = (await runtime.load(folder.bytes[name], { name })) as UnfoldModel;
    out[name] = { model: name, ...(await model.rollout(ROLLOUTS[name] as never)) };
    await model.release();
  }
  return out as Record<keyof typeof ROLLOUTS, unknown>;
}

function expectError(answer: Answer, status: number, code: string): void {
  expect({ status: answer.status, code: answer.body?.error?.code }).toEqual({ status, code });
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(JSON.stringify(answer.body)).not.toMatch(/\n\s+at |\.ts:\d+|node_modules/);
}

/** Defines the suite for `targets` (one server each) and returns an accessor for extra tests. */
export function describeServedRuntime(label: string, targets: readonly Target[]): () => Served {
  let served: Served | undefined;
  const references: Partial<Record<OrtName, Record<keyof typeof ROLLOUTS, unknown>>> = {};

  beforeAll(async () => {
    const folder = await writeModelFolder(label);
    const servers: RunningEntry[] = [];
    served = { folder, servers };
    for (const target of targets) {
      const entry = await bundleEntry(target.runtime, label);
      servers.push(await startEntry({ ...target, entry, models: folder.path, flags: FLAGS }));
    }
    references.node = await referenceRollouts(createRuntime(ortNode), folder);
    references.web = await referenceRollouts(createRuntime(ortWeb), folder);
  }, 120_000);

  afterAll(async () => {
    for (const server of served?.servers ?? []) await server.stop();
    served?.folder.dispose();
  });

  targets.forEach((target, index) => {
    const server = () => served?.servers[index] as RunningEntry;
    const url = (path: string) => `${server().url}${path}`;

    describe(`${target.runtime} with onnxruntime-${target.ort}`, () => {
      it('reports health and describes every model from its file', async () => {
        const health = await call(url('/health'));
        expect(health.status).toBe(200);
        expect(health.body).toMatchObject({ status: 'ok', runtime: target.runtime, models: ['charlm', 'forecaster', 'reverse', 'tagger', 'torch-lstm', 'tree'], onnxruntime: { flavour: `onnxruntime-${target.ort}`, common: '1.30.0' } });
        const { status, body } = await call(url('/models'));
        expect(status).toBe(200);
        const byName = Object.fromEntries(body.models.map((m: { name: string }) => [m.name, m]));
        expect(byName.forecaster).toMatchObject({ format: 'unfold', operations: ['predict', 'stream', 'rollout'], metadata: { window: 6, normalisation: { mean: 0.9, std: 0.25 } }, sequence: { readout: 'last', inputSize: 1 } });
        expect(byName['torch-lstm']).toMatchObject({ format: 'onnx', operations: ['predict'], inputs: [{ name: 'x', shape: ['batch', 'time', 3] }, { name: 'lengths', dtype: 'int64' }, { name: 'h0' }, { name: 'c0' }] });
        expect(byName.tree).toMatchObject({ format: 'unfold', operations: ['predict'], tree: { nodes: 'tokens', arity: 2, tokenizer: true } });
        expect(byName.reverse).toMatchObject({ format: 'unfold', operations: ['generate'] });
        expect(byName.reverse.entries.map((e: { name: string }) => e.name)).toEqual(['encoder', 'decoder_step', 'greedy']);
        expect((await call(url('/models/charlm'))).body).toMatchObject({ name: 'charlm', sequence: { inputKind: 'tokens', outputKind: 'probabilities', inputSize: 7 } });
      });

      it('predicts as unfold’s forward does (features, tokens, normalised units)', async () => {
        const { references: refs } = (served as Served).folder;
        const inputs = randomSequences(32 + index, [5, 1, 8], 3);
        const tagger = await post(url('/models/tagger/predict'), { inputs });
        expect(tagger.status).toBe(200);
        expect(worstExcess(tagger.body.outputs, refs.tagger.forward(inputs).outputs)).toBeLessThanOrEqual(0);
        const ids = [[0, 6, 2, 2, 5], [3]];
        const charlm = await post(url('/models/charlm/predict'), { inputs: ids });
        expect(worstExcess(charlm.body.outputs, refs.charlm.forward(ids).outputs)).toBeLessThanOrEqual(0);
        const z = randomSequences(40, [6, 3], 1);
        const forecaster = await post(url('/models/forecaster/predict'), { inputs: z, units: 'normalised' });
        expect(worstExcess(forecaster.body.outputs, refs.forecaster.forward(z).outputs)).toBeLessThanOrEqual(0);
      });

      it('predicts trees as unfold’s tree layer does, and names the node of a bad tree', async () => {
        const trees = ['(+ 3 (* 4 5))', { token: '-', children: [{ token: '9' }, { token: '2' }] }, '7'];
        const want = (served as Served).folder.tree.forward(trees);
        const answer = await post(url('/models/tree/predict'), { trees, nodes: true });
        expect(answer.status).toBe(200);
        expect(worstExcess(answer.body.outputs, want.outputs)).toBeLessThanOrEqual(0);
        expect(worstExcess(answer.body.nodes.flat().map((n: { output: number[] }) => n.output), want.nodes)).toBeLessThanOrEqual(0);
        const bad = await post(url('/models/tree/predict'), { trees: ['7', { nodes: [{ token: '+' }, { token: '1' }], children: [[1], [0]] }] });
        expectError(bad, 422, 'E_TREE');
        expect(bad.body.error.where).toBe('trees[1].nodes[1]');
      });

      it('decodes the seq2seq model with generate as unfold’s translate does (greedy, beam n-best), and refuses a bad beam', async () => {
        const { seq2seq } = (served as Served).folder;
        const inputs = ['hello world', 'abc', 'seq to seq'];
        const greedy = await post(url('/models/reverse/generate'), { inputs, maxLength: 12 });
        expect(greedy.status).toBe(200);
        const expected = await translate(seq2seq.model, inputs, { maxLength: 12 });
        expect(greedy.body).toMatchObject({ model: 'reverse', outputs: expected.map((t) => t.text), tokens: expected.map((t) => t.tokens) });
        const beam = await post(url('/models/reverse/generate'), { inputs, strategy: 'beam', beamWidth: 3, nBest: 2, maxLength: 12 });
        expect(beam.status).toBe(200);
        const expectedBeam = await translate(seq2seq.model, inputs, { strategy: 'beam', beamWidth: 3, nBest: 2, maxLength: 12 });
        expect(beam.body.nBest.map((list: { tokens: number[] }[]) => list.map((h) => h.tokens))).toEqual(expectedBeam.map((t) => t.nBest.map((h) => h.tokens)));
        expectError(await post(url('/models/reverse/generate'), { inputs, strategy: 'beam', beamWidth: 0 }), 400, 'E_REQUEST');
        const streamed = await post(url('/models/reverse/generate'), { inputs, maxLength: 12, stream: true });
        expect(streamed.headers.get('content-type')).toMatch(/^text\/event-stream/);
        const events = serverSentEvents(streamed.body.unparsable);
        expect(events.at(-1)).toMatchObject({ event: 'done', data: { tokens: expected.map((t) => t.tokens) } });
        const perToken = events.slice(0, -1);
        expect(perToken.length).toBe(expected.reduce((n, t) => n + t.tokens.length + (t.nBest[0]?.finished ? 1 : 0), 0)); // every token, and each <eos>
      });

      it('streams in three chunks exactly as one call, with unfold’s final state', async () => {
        const inputs = randomSequences(50 + index, [9, 4, 7], 3);
        const whole = await post(url('/models/tagger/stream'), { inputs });
        let state: unknown;
        const outputs: number[][][] = inputs.map(() => []);
        for (const [from, to] of [[0, 3], [3, 6], [6, 9]] as const) {
          const part = await post(url('/models/tagger/stream'), { inputs: inputs.map((s) => s.slice(from, to)), ...(state ? { state } : {}) });
          expect(part.status).toBe(200);
          part.body.outputs.forEach((rows: number[][], b: number) => outputs[b]?.push(...rows));
          state = part.body.state;
        }
        expect(worstExcess(outputs, whole.body.outputs)).toBeLessThanOrEqual(0);
        expect(worstExcess(Object.values(state as object), Object.values(whole.body.state))).toBeLessThanOrEqual(0);
        const reference = (served as Served).folder.references.tagger.forward(inputs);
        expect(worstExcess(whole.body.outputs, reference.outputs)).toBeLessThanOrEqual(0);
        expect(worstExcess(Object.values(whole.body.state), reference.states)).toBeLessThanOrEqual(0);
      });

      it('rolls out reproducibly: identical runs, identical to the same flavour, within tolerance of the other', async () => {
        const other: OrtName = target.ort === 'node' ? 'web' : 'node';
        for (const name of Object.keys(ROLLOUTS) as (keyof typeof ROLLOUTS)[]) {
          const first = await post(url(`/models/${name}/rollout`), ROLLOUTS[name]);
          const second = await post(url(`/models/${name}/rollout`), ROLLOUTS[name]);
          expect(first.status).toBe(200);
          expect(second.body).toEqual(first.body);
          expect(first.body).toEqual(references[target.ort]?.[name]);
          const across = references[other]?.[name] as { outputs?: unknown; tokens?: unknown };
          if (first.body.kind === 'tokens') expect(first.body.tokens).toEqual(across.tokens);
          else expect(worstExcess(first.body.outputs, across.outputs)).toBeLessThanOrEqual(0);
        }
      });

      it('serves a PyTorch-exported LSTM by its graph inputs, matching PyTorch', async () => {
        const fixture = JSON.parse(readFileSync(join(TORCH_FIXTURES, 'lstm_bidir_packed_unsorted_h0c0_batch_first.json'), 'utf8'));
        for (const testCase of fixture.cases) {
          const inputs = Object.fromEntries(Object.entries(testCase.inputs).map(([k, t]) => [k, nest(t as never)]));
          const answer = await post(url('/models/torch-lstm/predict'), { inputs });
          expect(answer.status).toBe(200);
          for (const [key, tensor] of Object.entries(testCase.outputs)) expect(worstExcess(answer.body.outputs[key], nest(tensor as never))).toBeLessThanOrEqual(0);
        }
      });

      it('answers every bad request with its documented status and code, and stays up', async () => {
        const tagger = url('/models/tagger/predict');
        const cases: [string, () => Promise<Answer>, number, string][] = [
          ['malformed JSON', () => post(tagger, '{"inputs": [[[1, 2, 3]]'), 400, 'E_JSON'],
          ['a NaN literal', () => post(tagger, '{"inputs": [[[NaN, 0, 0]]]}'), 400, 'E_JSON'],
          ['NaN sent as null', () => post(tagger, { inputs: [[[null, 0, 0]]] }), 422, 'E_NON_FINITE'],
          ['an overflowing number', () => post(tagger, '{"inputs": [[[1e999, 0, 0]]]}'), 422, 'E_NON_FINITE'],
          ['a wrong content type', () => post(tagger, { inputs: [[[0, 0, 0]]] }, 'text/plain'), 415, 'E_CONTENT_TYPE'],
          ['no content type', () => call(tagger, { method: 'POST', body: new TextEncoder().encode('{"inputs":[[[0,0,0]]]}') }), 415, 'E_CONTENT_TYPE'],
          ['a wrong feature count', () => post(tagger, { inputs: [[[1, 2]]] }), 422, 'E_SHAPE'],
          ['ragged steps', () => post(tagger, { inputs: [[[1, 2, 3], [1, 2]]] }), 422, 'E_SHAPE'],
          ['a string value', () => post(tagger, { inputs: [[[1, 'two', 3]]] }), 422, 'E_DTYPE'],
          ['a token out of range', () => post(url('/models/charlm/predict'), { inputs: [[1, 99]] }), 422, 'E_TOKEN_RANGE'],
          ['no inputs', () => post(tagger, {}), 400, 'E_REQUEST'],
          ['an unknown field', () => post(tagger, { inputs: [[[0, 0, 0]]], extra: true }), 400, 'E_REQUEST'],
          ['an oversized body', () => post(tagger, { inputs: [randomSequences(1, [4000], 3)[0]] }), 413, 'E_BODY_TOO_LARGE'],
          ['an unknown model', () => post(url('/models/nope/predict'), { inputs: [[[0, 0, 0]]] }), 404, 'E_MODEL_NOT_FOUND'],
          ['an unknown endpoint', () => call(url('/v2/predict')), 404, 'E_NOT_FOUND'],
          ['a GET on predict', () => call(tagger), 405, 'E_METHOD'],
          ['a huge rollout length', () => post(url('/models/tagger/rollout'), { inputs: [[[0, 0, 0]]], steps: 10_000_000 }), 422, 'E_LIMIT'],
          ['a batch above the cap', () => post(tagger, { inputs: randomSequences(2, new Array(17).fill(1), 3) }), 422, 'E_LIMIT'],
          ['stream on a plain ONNX model', () => post(url('/models/torch-lstm/stream'), { inputs: {} }), 422, 'E_UNSUPPORTED'],
          ['a PyTorch input of the wrong rank', () => post(url('/models/torch-lstm/predict'), { inputs: { x: [[0, 0, 0]], lengths: [1], h0: [], c0: [] } }), 422, 'E_SHAPE'],
        ];
        for (const [what, send, status, code] of cases) {
          const answer = await send();
          expect.soft({ what, status: answer.status, code: answer.body?.error?.code }).toEqual({ what, status, code });
          expectError(answer, status, code);
        }
        expect((await call(url('/health'))).status).toBe(200);
        expect(server().alive()).toBe(true);
      });

      it('counts a streamed upload without Content-Length while reading it (413)', async () => {
        const chunk = new TextEncoder().encode(`[${'0.5,'.repeat(2000)}0.5],`);
        let sent = 0;
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent === 0) controller.enqueue(new TextEncoder().encode('{"inputs": [['));
            if (sent > 40) return controller.close(); // ~320 KB, five times the cap, no Content-Length
            sent += 1;
            controller.enqueue(chunk);
          },
        });
        const answer = await call(url('/models/tagger/predict'), { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
        expectError(answer, 413, 'E_BODY_TOO_LARGE');
        expect((await call(url('/health'))).status).toBe(200);
      });

      it('answers the hostile set of issue 15 without a 5xx, and answers valid requests the same afterwards', async () => {
        const probe = { inputs: [[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]] };
        const before = await post(url('/models/tagger/predict'), probe);
        expect(await hostileSetFailures(server().url)).toEqual([]);
        expect((await post(url('/models/tagger/predict'), probe)).body).toEqual(before.body);
        expect(server().alive()).toBe(true);
        expect(server().stderr()).not.toMatch(/internal error/);
      }, 60_000);
    });
  });

  return () => served as Served;
}
