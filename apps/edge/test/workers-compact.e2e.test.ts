import { join } from 'node:path';
import { translate } from '@unfold/training';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomSequences, worstExcess } from '../../../packages/runtime/test/models';
import { writeWorkerProject } from '../workers/models.mjs';
import { call, type Answer } from './support/client';
import { TEST_LIMITS } from './support/conformance';
import { writeModelFolder, type ModelFolder } from './support/fixtures';
import { bundleEntry, startEntry, workDir, type RunningEntry } from './support/servers';
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

  it('predicts as unfold’s forward does (features, tokens, normalised units)', async () => {
    const refs = folder.references;
    const inputs = randomSequences(32, [5, 1, 8], 3);
    const tagger = await send('/models/tagger/predict', { inputs });
    expect(tagger.status).toBe(200);
    expect(worstExcess(tagger.body.outputs, refs.tagger.forward(inputs).outputs)).toBeLessThanOrEqual(0);
    const ids = [[0, 6, 2, 2, 5], [3]];
    const charlm = await send('/models/charlm/predict', { inputs: ids });
    expect(charlm.status).toBe(200);
    expect(worstExcess(charlm.body.outputs, refs.charlm.forward(ids).outputs)).toBeLessThanOrEqual(0);
    const z = randomSequences(40, [6, 3], 1);
    const forecaster = await send('/models/forecaster/predict', { inputs: z, units: 'normalised' });
    expect(forecaster.status).toBe(200);
    expect(worstExcess(forecaster.body.outputs, refs.forecaster.forward(z).outputs)).toBeLessThanOrEqual(0);
  });

  it('streams in three chunks as one call, with unfold’s final state', async () => {
    const inputs = randomSequences(50, [9, 4, 7], 3);
    const whole = await send('/models/tagger/stream', { inputs });
    expect(whole.status).toBe(200);
    let state: unknown;
    const outputs: number[][][] = inputs.map(() => []);
    for (const [from, to] of [[0, 3], [3, 6], [6, 9]] as const) {
      const part = await send('/models/tagger/stream', { inputs: inputs.map((s) => s.slice(from, to)), ...(state ? { state } : {}) });
      expect(part.status).toBe(200);
      part.body.outputs.forEach((rows: number[][], b: number) => outputs[b]?.push(...rows));
      state = part.body.state;
    }
    expect(worstExcess(outputs, whole.body.outputs)).toBeLessThanOrEqual(0);
    const reference = folder.references.tagger.forward(inputs);
    expect(worstExcess(whole.body.outputs, reference.outputs)).toBeLessThanOrEqual(0);
    expect(worstExcess(Object.values(whole.body.state), reference.states)).toBeLessThanOrEqual(0);
  });

  it('generates with the seq2seq folder as unfold’s translate does (greedy, beam n-best), and the char LM as onnxruntime-node does', async () => {
    const inputs = ['hello world', 'abc', 'seq to seq'];
    const greedy = await send('/models/reverse/generate', { inputs, maxLength: 12 });
    expect(greedy.status).toBe(200);
    const expected = await translate(folder.seq2seq.model, inputs, { maxLength: 12 });
    expect(greedy.body).toMatchObject({ outputs: expected.map((t) => t.text), tokens: expected.map((t) => t.tokens) });
    const beam = await send('/models/reverse/generate', { inputs, strategy: 'beam', beamWidth: 3, nBest: 2, maxLength: 12 });
    const expectedBeam = await translate(folder.seq2seq.model, inputs, { strategy: 'beam', beamWidth: 3, nBest: 2, maxLength: 12 });
    expect(beam.body.nBest.map((list: { tokens: number[] }[]) => list.map((h) => h.tokens))).toEqual(expectedBeam.map((t) => t.nBest.map((h) => h.tokens)));
    const request = { prompt: ['ab', 'b'], maxLength: 12, strategy: 'greedy' };
    const lm = await send('/models/charlm/generate', request);
    const native = await call(`${nodeEntry.url}/models/charlm/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request), signal: TIMEOUT.signal() });
    expect(lm.status).toBe(200);
    expect(lm.body.tokens).toEqual(native.body.tokens);
  });

  it('predicts trees as unfold’s tree layer does, and names the node of a bad tree', async () => {
    const trees = ['(+ 3 (* 4 5))', { token: '-', children: [{ token: '9' }, { token: '2' }] }, '7'];
    const want = folder.tree.forward(trees);
    const answer = await send('/models/tree/predict', { trees, nodes: true });
    expect(answer.status).toBe(200);
    expect(worstExcess(answer.body.outputs, want.outputs)).toBeLessThanOrEqual(0);
    expect(worstExcess(answer.body.nodes.flat().map((n: { output: number[] }) => n.output), want.nodes)).toBeLessThanOrEqual(0);
    const bad = await send('/models/tree/predict', { trees: ['7', { nodes: [{ token: '+' }, { token: '1' }], children: [[1], [0]] }] });
    expect({ status: bad.status, code: bad.body?.error?.code, where: bad.body?.error?.where }).toEqual({ status: 422, code: 'E_TREE', where: 'trees[1].nodes[1]' });
  });

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
