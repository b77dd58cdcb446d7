import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { worstExcess } from '../../../packages/runtime/test/models';
import { writeWorkerProject } from '../workers/models.mjs';
import { call, type Answer } from './support/client';
import { TEST_LIMITS } from './support/conformance';
import { writeModelFolder, type ModelFolder } from './support/fixtures';
import { bundleEntry, startEntry, workDir, type RunningEntry } from './support/servers';
import { decodesAsTranslate, predictsAsUnfold, predictsTreesAsUnfold, streamsAsUnfold } from './support/worker-checks';
import { startWranglerDev, type RunningWorker } from './support/wrangler';

/**
 * The compact Worker (apps/edge/workers/wrangler.json: src/entries/workers.ts on @unfold/engine, the free
 * plan's Worker) bundled by wrangler and served by workerd through `wrangler dev` from the npm package, on
 * 127.0.0.1: predict, stream, rollout, a seq2seq model's generate and a tree model's predict answer as
 * unfold's own forward pass does, and the PyTorch export, whose TopK the compact engine lacks, is refused
 * with the node, the operator and the fix in the Worker's log.
 */
const LABEL = 'workers-compact';
const TIMEOUT = { signal: () => AbortSignal.timeout(60_000) };

let folder: ModelFolder;
let worker: RunningWorker;
let nodeEntry: RunningEntry;

function send(path: string, body: unknown): Promise<Answer> {
  return call(`${worker.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: TIMEOUT.signal() });
}

beforeAll(async () => {
  folder = await writeModelFolder(LABEL);
  const vars = { UNFOLD_MAX_BODY_BYTES: String(TEST_LIMITS.maxBodyBytes), UNFOLD_MAX_BATCH: String(TEST_LIMITS.maxBatch), UNFOLD_MAX_ROLLOUT_STEPS: String(TEST_LIMITS.maxRolloutSteps) };
  const project = writeWorkerProject(folder.path, join(workDir(LABEL), 'worker'), vars, 'compact');
  [worker, nodeEntry] = await Promise.all([startWranglerDev(project.config), bundleEntry('node', LABEL).then((entry) => startEntry({ runtime: 'node', ort: 'node', entry, models: folder.path }))]);
}, 180_000);

afterAll(async () => {
  await Promise.all([worker?.stop(), nodeEntry?.stop()]);
  folder?.dispose();
});

describe('workerd (wrangler dev), the compact Worker', () => {
  it('reports the compact engine and every bundled model', async () => {
    const health = await call(`${worker.url}/health`, { signal: TIMEOUT.signal() });
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', runtime: 'workerd', engine: 'compact', compact: { version: expect.any(String) }, models: ['charlm', 'forecaster', 'reverse', 'tagger', 'torch-lstm', 'tree'] });
    expect(health.body.onnxruntime).toBeUndefined();
  });

  it('predicts as unfold’s forward does (features, tokens, normalised units)', () => predictsAsUnfold(send, folder));

  it('streams in three chunks as one call, with unfold’s final state', () => streamsAsUnfold(send, folder));

  it('generates with the seq2seq folder as unfold’s translate does (greedy, beam n-best), and the char LM as onnxruntime-node does', async () => {
    await decodesAsTranslate(send, folder);
    const request = { prompt: ['ab', 'b'], maxLength: 12, strategy: 'greedy' };
    const lm = await send('/models/charlm/generate', request);
    const native = await call(`${nodeEntry.url}/models/charlm/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request), signal: TIMEOUT.signal() });
    expect(lm.status).toBe(200);
    expect(lm.body.tokens).toEqual(native.body.tokens);
  });

  it('predicts trees as unfold’s tree layer does, and names the node of a bad tree', () => predictsTreesAsUnfold(send, folder));

  it('rolls out within tolerance of the Node entry on onnxruntime-node, reproducibly', async () => {
    const request = { inputs: [[0.7, 0.8, 0.95, 1.1, 1.2, 1.15, 1.0]], steps: 12, feedback: 'window' };
    const first = await send('/models/forecaster/rollout', request);
    expect(first.status).toBe(200);
    expect((await send('/models/forecaster/rollout', request)).body).toEqual(first.body);
    const native = await call(`${nodeEntry.url}/models/forecaster/rollout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request), signal: TIMEOUT.signal() });
    expect(worstExcess(first.body.outputs, native.body.outputs)).toBeLessThanOrEqual(0);
  });

  it('refuses the PyTorch export (TopK is outside the compact engine’s set), logging the node, the operator and the fix, and stays up', async () => {
    const answer = await send('/models/torch-lstm/predict', { inputs: {} });
    expect(answer.status).toBe(500);
    expect(answer.body.error.code).toBe('E_INTERNAL');
    for (let i = 0; i < 50 && !/TopK/.test(worker.output()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(worker.output()).toMatch(/torch-lstm.*TopK.*--engine ort-node/s);
    expect((await send('/models/tagger/predict', { inputs: [[[0.1, 0.2, 0.3]]] })).status).toBe(200);
    expect(worker.alive()).toBe(true);
  });
});
