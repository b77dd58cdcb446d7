import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRuntime, type UnfoldModel } from '@unfold/runtime';
import * as ortWeb from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nest } from '../../../packages/runtime/test/kit';
import { randomSequences, worstExcess } from '../../../packages/runtime/test/models';
import { writeWorkerProject } from '../workers/models.mjs';
import { call, type Answer } from './support/client';
import { hostileSetFailures } from './support/hostile';
import { TEST_LIMITS } from './support/conformance';
import { TORCH_FIXTURES, writeModelFolder, type ModelFolder } from './support/fixtures';
import { bundleEntry, startEntry, workDir, type RunningEntry } from './support/servers';
import { decodesAsTranslate, predictsAsUnfold, predictsTreesAsUnfold, streamsAsUnfold } from './support/worker-checks';
import { startWranglerDev, type RunningWorker } from './support/wrangler';

/**
 * Cloudflare Workers: src/entries/workers.ts bundled by wrangler (models as `Data` modules, onnxruntime-web's
 * WASM as a compiled module) and served by workerd through `wrangler dev` on 127.0.0.1, started once. Its
 * answers are compared with unfold's forward pass, with onnxruntime-web run in this process (bit-identical
 * rollouts: the same WASM) and with the Node entry on onnxruntime-node (within the tolerance).
 */
const LABEL = 'workers';
const TIMEOUT = { signal: () => AbortSignal.timeout(60_000) };

const ROLLOUTS = {
  tagger: { inputs: randomSequences(31, [4, 2], 3), steps: 20 },
  forecaster: { inputs: [[0.7, 0.8, 0.95, 1.1, 1.2, 1.15, 1.0]], steps: 12, feedback: 'window' },
  charlm: { inputs: [[1, 2, 3], [6]], steps: 25, sampling: { strategy: 'sample', temperature: 1.3, topK: 5, seed: 77 } },
} as const;
type RolloutName = keyof typeof ROLLOUTS;

let folder: ModelFolder;
let worker: RunningWorker;
let nodeEntry: RunningEntry;
const sameFlavour: Partial<Record<RolloutName, unknown>> = {};

function send(path: string, body: unknown, contentType = 'application/json'): Promise<Answer> {
  return call(`${worker.url}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body), signal: TIMEOUT.signal() });
}

function get(path: string): Promise<Answer> {
  return call(`${worker.url}${path}`, { signal: TIMEOUT.signal() });
}

beforeAll(async () => {
  folder = await writeModelFolder(LABEL);
  const vars = { UNFOLD_MAX_BODY_BYTES: String(TEST_LIMITS.maxBodyBytes), UNFOLD_MAX_BATCH: String(TEST_LIMITS.maxBatch), UNFOLD_MAX_ROLLOUT_STEPS: String(TEST_LIMITS.maxRolloutSteps) };
  const project = writeWorkerProject(folder.path, join(workDir(LABEL), 'worker'), vars, 'ort-web');
  const flags = ['--max-body-bytes', String(TEST_LIMITS.maxBodyBytes), '--max-batch', String(TEST_LIMITS.maxBatch), '--max-rollout-steps', String(TEST_LIMITS.maxRolloutSteps)];
  [worker, nodeEntry] = await Promise.all([
    startWranglerDev(project.config),
    bundleEntry('node', LABEL).then((entry) => startEntry({ runtime: 'node', ort: 'node', entry, models: folder.path, flags })),
  ]);
  const runtime = createRuntime(ortWeb);
  for (const name of Object.keys(ROLLOUTS) as RolloutName[]) {
    const model = (await runtime.load(folder.bytes[name], { name })) as UnfoldModel;
    sameFlavour[name] = { model: name, ...(await model.rollout(ROLLOUTS[name] as never)) };
    await model.release();
  }
}, 180_000);

afterAll(async () => {
  await Promise.all([worker?.stop(), nodeEntry?.stop()]);
  folder?.dispose();
});

describe('workerd (wrangler dev) with onnxruntime-web, models bundled', () => {
  it('reports health and describes the bundled models', async () => {
    const health = await get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', runtime: 'workerd', models: ['charlm', 'forecaster', 'reverse', 'tagger', 'torch-lstm', 'tree'], onnxruntime: { flavour: 'onnxruntime-web', common: '1.30.0', web: '1.30.0' } });
    const models = await get('/models');
    expect(models.status).toBe(200);
    const byName = Object.fromEntries(models.body.models.map((m: { name: string }) => [m.name, m]));
    expect(byName.forecaster).toMatchObject({ format: 'unfold', operations: ['predict', 'stream', 'rollout'], metadata: { window: 6 }, sequence: { readout: 'last', inputSize: 1 } });
    expect(byName['torch-lstm']).toMatchObject({ format: 'onnx', operations: ['predict'] });
    expect(byName.tree).toMatchObject({ format: 'unfold', operations: ['predict'], tree: { nodes: 'tokens', arity: 2, tokenizer: true } });
    expect(byName.reverse).toMatchObject({ format: 'unfold', operations: ['generate'] });
  });

  it('decodes the bundled seq2seq folder with generate as unfold’s translate does (greedy, beam n-best)', () => decodesAsTranslate(send, folder));

  it('predicts trees as unfold’s tree layer does, and names the node of a bad tree', () => predictsTreesAsUnfold(send, folder));

  it('predicts as unfold’s forward does (features, tokens, normalised units)', () => predictsAsUnfold(send, folder));

  it('streams in three chunks exactly as one call, with unfold’s final state', () => streamsAsUnfold(send, folder));

  it('rolls out reproducibly: identical calls, identical to onnxruntime-web here, within tolerance of the Node entry', async () => {
    for (const name of Object.keys(ROLLOUTS) as RolloutName[]) {
      const first = await send(`/models/${name}/rollout`, ROLLOUTS[name]);
      const second = await send(`/models/${name}/rollout`, ROLLOUTS[name]);
      expect(first.status).toBe(200);
      expect(second.body).toEqual(first.body);
      expect(first.body).toEqual(sameFlavour[name]);
      const node = await call(`${nodeEntry.url}/models/${name}/rollout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ROLLOUTS[name]), signal: TIMEOUT.signal() });
      expect(node.status).toBe(200);
      if (first.body.kind === 'tokens') expect(first.body.tokens).toEqual(node.body.tokens);
      else expect(worstExcess(first.body.outputs, node.body.outputs)).toBeLessThanOrEqual(0);
    }
  });

  it('serves a PyTorch-exported LSTM by its graph inputs, matching PyTorch', async () => {
    const fixture = JSON.parse(readFileSync(join(TORCH_FIXTURES, 'lstm_bidir_packed_unsorted_h0c0_batch_first.json'), 'utf8'));
    for (const testCase of fixture.cases) {
      const inputs = Object.fromEntries(Object.entries(testCase.inputs).map(([k, t]) => [k, nest(t as never)]));
      const answer = await send('/models/torch-lstm/predict', { inputs });
      expect(answer.status).toBe(200);
      for (const [key, tensor] of Object.entries(testCase.outputs)) expect(worstExcess(answer.body.outputs[key], nest(tensor as never))).toBeLessThanOrEqual(0);
    }
  });

  it('answers bad requests with their documented status and code (limits from the Worker’s vars), and stays up', async () => {
    const tagger = '/models/tagger/predict';
    const cases: [string, () => Promise<Answer>, number, string][] = [
      ['malformed JSON', () => send(tagger, '{"inputs": [[[1, 2, 3]]'), 400, 'E_JSON'],
      ['a NaN literal', () => send(tagger, '{"inputs": [[[NaN, 0, 0]]]}'), 400, 'E_JSON'],
      ['NaN sent as null', () => send(tagger, { inputs: [[[null, 0, 0]]] }), 422, 'E_NON_FINITE'],
      ['an overflowing number', () => send(tagger, '{"inputs": [[[1e999, 0, 0]]]}'), 422, 'E_NON_FINITE'],
      ['a wrong content type', () => send(tagger, { inputs: [[[0, 0, 0]]] }, 'text/plain'), 415, 'E_CONTENT_TYPE'],
      ['a wrong feature count', () => send(tagger, { inputs: [[[1, 2]]] }), 422, 'E_SHAPE'],
      ['a string value', () => send(tagger, { inputs: [[[1, 'two', 3]]] }), 422, 'E_DTYPE'],
      ['a token out of range', () => send('/models/charlm/predict', { inputs: [[1, 99]] }), 422, 'E_TOKEN_RANGE'],
      ['an unknown field', () => send(tagger, { inputs: [[[0, 0, 0]]], extra: true }), 400, 'E_REQUEST'],
      ['an oversized body', () => send(tagger, { inputs: [randomSequences(1, [4000], 3)[0]] }), 413, 'E_BODY_TOO_LARGE'],
      ['an unknown model', () => send('/models/nope/predict', { inputs: [[[0, 0, 0]]] }), 404, 'E_MODEL_NOT_FOUND'],
      ['an unknown endpoint', () => get('/v2/predict'), 404, 'E_NOT_FOUND'],
      ['a GET on predict', () => get(tagger), 405, 'E_METHOD'],
      ['a huge rollout length', () => send('/models/tagger/rollout', { inputs: [[[0, 0, 0]]], steps: 10_000_000 }), 422, 'E_LIMIT'],
      ['a batch above the cap', () => send(tagger, { inputs: randomSequences(2, new Array(17).fill(1), 3) }), 422, 'E_LIMIT'],
      ['stream on a plain ONNX model', () => send('/models/torch-lstm/stream', { inputs: {} }), 422, 'E_UNSUPPORTED'],
    ];
    for (const [what, request, status, code] of cases) {
      const answer = await request();
      expect.soft({ what, status: answer.status, code: answer.body?.error?.code }).toEqual({ what, status, code });
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(JSON.stringify(answer.body)).not.toMatch(/\n\s+at |\.ts:\d+|node_modules/);
    }
    expect((await get('/health')).status).toBe(200);
    expect(worker.alive()).toBe(true);
    expect(worker.output()).not.toMatch(/internal error/);
  });

  it('answers the hostile set of issue 15 without a 5xx, and answers valid requests the same afterwards', async () => {
    const probe = { inputs: [[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]] };
    const before = await send('/models/tagger/predict', probe);
    // wrangler dev's local proxy answers CONNECT itself (a plain-text 500, the Worker never sees it); on
    // Cloudflare the edge handles CONNECT before any Worker. Everything else reaches the handler.
    expect(await hostileSetFailures(worker.url, 1, { answersItself: ['CONNECT'] })).toEqual([]);
    expect((await send('/models/tagger/predict', probe)).body).toEqual(before.body);
    expect(worker.alive()).toBe(true);
    expect(worker.output()).not.toMatch(/internal error/);
  }, 120_000);
});
