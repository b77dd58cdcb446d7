import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, type LoadedModel } from '@unfold/runtime';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler, staticRegistry, type FetchHandler } from '../src/index';
import { loadModelFolder } from '../src/server/folder';
import { worstExcess } from '../../../packages/runtime/test/models';
import { encoderReference, shapedReference, shapedStateModel, twoEntryFiles } from '../../../packages/runtime/test/v2/toy-models';

/**
 * Contracts v2 at the edge: a model folder holding a v1 file, a v2 file with a [2, 3] state and a
 * two-entry model in a sub-folder; `GET /models` shows entries and tasks, and `stream` carries the shaped
 * state as nested JSON.
 */
const runtime = createRuntime(ort);
let folder: string;
let models: Record<string, LoadedModel>;
let handler: FetchHandler;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'unfold-edge-entries-'));
  copyFileSync(join(import.meta.dirname, '../../../packages/runtime/test/fixtures/v1/tagger.onnx'), join(folder, 'tagger.onnx'));
  writeFileSync(join(folder, 'shaped.onnx'), shapedStateModel());
  mkdirSync(join(folder, 'toy'));
  for (const [file, bytes] of Object.entries(twoEntryFiles())) writeFileSync(join(folder, 'toy', file), bytes);
  mkdirSync(join(folder, 'notes')); // a sub-folder without entry files is not a model
  models = await loadModelFolder(runtime, folder);
  handler = createHandler({ models: staticRegistry(models) });
});

afterAll(async () => {
  await Promise.all(Object.values(models ?? {}).map((m) => m.release()));
  rmSync(folder, { recursive: true, force: true });
});

async function send(path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const init = body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const response = await handler(new Request(`http://edge.test${path}`, init));
  return { status: response.status, body: await response.json() };
}

const inputs = [
  [
    [1, 2],
    [3, -1],
  ],
  [[0.5, 0.25]],
];

describe('v2 models at the edge', () => {
  it('loads a sub-folder with entry files as one model named after it', async () => {
    expect(Object.keys(models).sort()).toEqual(['shaped', 'tagger', 'toy']);
    await expect(loadModelFolder(runtime, join(folder, 'toy')).then((m) => Object.keys(m))).resolves.toEqual(['toy']);
  });

  it('shows each entry’s tasks, the model’s operations and the state shapes in GET /models', async () => {
    const { body } = await send('/models');
    const byName = Object.fromEntries(body.models.map((m: { name: string }) => [m.name, m]));
    expect(byName.toy.operations).toEqual(['predict', 'stream']);
    expect(byName.toy.entries.map((e: { name: string; tasks: string[] }) => ({ name: e.name, tasks: e.tasks }))).toEqual([
      { name: 'encoder', tasks: ['predict'] },
      { name: 'step', tasks: ['predict', 'stream'] },
    ]);
    expect(byName.toy.tasks).toEqual([{ name: 'generate', entries: ['encoder', 'step'] }]);
    expect(byName.shaped.entries[0].states).toEqual([{ path: 'memory', shape: [2, 3], size: 6 }]);
    expect(byName.tagger.entries[0]).toMatchObject({ name: 'main', tasks: ['predict', 'stream'] });
  });

  it('streams a [2, 3] state through POST /stream as nested JSON, and back', async () => {
    const one = await send('/models/shaped/stream', { inputs });
    expect(one.status).toBe(200);
    expect(one.body.state.memory.length).toBe(2);
    expect(one.body.state.memory[0].map((row: number[]) => row.length)).toEqual([3, 3]);
    expect(worstExcess(one.body.state.memory, shapedReference(inputs).state)).toBeLessThanOrEqual(0);
    const next = [[[0.1, -0.3]], [[1, 1]]];
    const two = await send('/models/shaped/stream', { inputs: next, state: one.body.state });
    const expected = shapedReference(next, one.body.state.memory);
    expect(worstExcess(two.body.outputs, expected.outputs)).toBeLessThanOrEqual(0);
    expect(worstExcess(two.body.state.memory, expected.state)).toBeLessThanOrEqual(0);
    const wrong = await send('/models/shaped/stream', { inputs: next, state: { memory: [[[0, 0, 0]]] } });
    expect(wrong).toMatchObject({ status: 422, body: { error: { code: 'E_SHAPE', expected: '2 entries on axis 1 of [batch, 2, 3]', got: '1' } } });
  });

  it('routes a multi-entry model’s operations to the entry the request names', async () => {
    expect(worstExcess((await send('/models/toy/predict', { inputs })).body.outputs, encoderReference(inputs))).toBeLessThanOrEqual(0);
    expect(worstExcess((await send('/models/toy/predict', { inputs, entry: 'step' })).body.outputs, shapedReference(inputs).outputs)).toBeLessThanOrEqual(0);
    const streamed = await send('/models/toy/stream', { inputs, entry: 'step' });
    expect(streamed.status).toBe(200);
    expect(await send('/models/toy/rollout', { inputs, steps: 2 })).toMatchObject({ status: 422, body: { error: { code: 'E_UNSUPPORTED' } } });
    expect(await send('/models/toy/predict', { inputs, entry: 'nope' })).toMatchObject({ status: 400, body: { error: { code: 'E_REQUEST', where: 'request.entry' } } });
    expect(await send('/models/toy/translate', { inputs })).toMatchObject({ status: 404, body: { error: { code: 'E_NOT_FOUND', expected: 'GET /health, GET /models, GET /models/:name, POST /models/:name/(predict|stream|rollout|generate)' } } });
    expect(await send('/models/toy/generate', { prompt: 'a' })).toMatchObject({ status: 422, body: { error: { code: 'E_UNSUPPORTED' } } });
  });
});
