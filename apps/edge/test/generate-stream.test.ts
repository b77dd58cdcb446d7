import { setupBackend } from '@unfold/core';
import { createRuntime, type LoadedModel } from '@unfold/runtime';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceModel, type ReferenceModel } from '../../../packages/runtime/test/models';
import { seq2seqReference, type Seq2seqReference } from '../../../packages/runtime/test/seq2seq-models';
import { createHandler, staticRegistry, type FetchHandler } from '../src/index';
import { serverSentEvents } from './support/client';

/**
 * `"stream": true` on generate: server-sent events, one per decoded token and a final `done` with the
 * answer the plain call gives; bad requests keep their 4xx status; beam search cannot stream.
 */
process.env.ORT_DISABLE_TELEMETRY = '1';
let charlm: ReferenceModel;
let seq2seq: Seq2seqReference;
const models: Record<string, LoadedModel> = {};
let handler: FetchHandler;

beforeAll(async () => {
  await setupBackend();
  const runtime = createRuntime(ort);
  charlm = await referenceModel('charlm', 21);
  seq2seq = seq2seqReference('additive', 9);
  models.charlm = await runtime.load(charlm.bytes, { name: 'charlm' });
  models.seq2seq = await runtime.loadEntries('seq2seq', seq2seq.files);
  handler = createHandler({ models: staticRegistry(models), limits: { maxBatch: 8, maxRolloutSteps: 64 } });
});

afterAll(async () => {
  for (const model of Object.values(models)) await model.release();
  charlm.model.dispose();
  seq2seq.model.dispose();
});

function post(path: string, body: unknown): Promise<Response> {
  return handler(new Request(`http://localhost${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
}

describe.each([
  ['seq2seq', { inputs: ['hello world', 'abc'], maxLength: 10 }],
  ['seq2seq', { inputs: ['seq to seq'], strategy: 'sample', temperature: 1.2, seed: 4, maxLength: 10 }],
  ['charlm', { prompt: ['ab', 'b'], maxLength: 12, temperature: 0.8, topK: 5, seed: 7 }],
] as const)('POST /models/%s/generate with "stream": true (%j)', (name, request) => {
  it('sends one event per token, in order, then done with the plain answer', async () => {
    const plain = (await (await post(`/models/${name}/generate`, request)).json()) as { tokens: number[][]; outputs: string[] };
    const response = await post(`/models/${name}/generate`, { ...request, stream: true });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const received = serverSentEvents(await response.text());
    const done = received.at(-1);
    expect(done?.event).toBe('done');
    expect(done?.data).toMatchObject({ model: name, tokens: plain.tokens, outputs: plain.outputs });
    const tokens = received.slice(0, -1);
    expect(tokens.every((e) => e.event === 'message')).toBe(true);
    const byIndex = plain.tokens.map((_, b) => tokens.filter((e) => e.data.index === b).map((e) => e.data.token as number));
    // A language model's tokens include its <eos> (id 3); a seq2seq answer leaves it out, the events do not.
    byIndex.forEach((ids, b) => expect(name === 'charlm' ? ids : ids.filter((id) => id !== 3)).toEqual(plain.tokens[b]));
    expect(tokens.every((e) => typeof e.data.text === 'string')).toBe(true);
  });
});

describe('streaming refusals', () => {
  it('keeps a bad request’s status and refuses beam search', async () => {
    const beam = await post('/models/seq2seq/generate', { inputs: ['abc'], strategy: 'beam', stream: true });
    expect(beam.status).toBe(400);
    expect(await beam.json()).toMatchObject({ error: { code: 'E_REQUEST', where: 'stream' } });
    const bad = await post('/models/seq2seq/generate', { inputs: ['abc'], stream: 'yes' });
    expect(bad.status).toBe(400);
    const wrong = await post('/models/charlm/generate', { prompt: 'ab', temperature: 0, stream: true });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: { code: 'E_REQUEST', where: 'temperature' } });
  });
});
