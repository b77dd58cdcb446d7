import { createRuntime, type LoadedModel } from '@unfold/runtime';
import { generate } from '@unfold/training';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler, exampleRequests, staticRegistry, type FetchHandler } from '../src/index';
import { referenceModel, type ReferenceModel } from '../../../packages/runtime/test/models';

/** POST /models/:name/generate through the handler: text in, text out, the library's text for a seed, and bad requests. */
process.env.ORT_DISABLE_TELEMETRY = '1';
const runtime = createRuntime(ort);
let charlm: ReferenceModel;
let tagger: ReferenceModel;
const models: Record<string, LoadedModel> = {};
let handler: FetchHandler;

beforeAll(async () => {
  charlm = await referenceModel('charlm', 21);
  tagger = await referenceModel('tagger', 3);
  models.charlm = await runtime.load(charlm.bytes, { name: 'charlm' });
  models.tagger = await runtime.load(tagger.bytes, { name: 'tagger' });
  handler = createHandler({ models: staticRegistry(models), limits: { maxBodyBytes: 4000, maxBatch: 4, maxRolloutSteps: 64 } });
});

afterAll(async () => {
  for (const model of Object.values(models)) await model.release();
  charlm.model.dispose();
  tagger.model.dispose();
});

async function post(path: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await handler(new Request(`http://edge.test${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) }));
  return { status: response.status, body: await response.json() };
}

describe('POST /models/:name/generate', () => {
  it('answers text and ids, the library’s for the same seed', async () => {
    const request = { prompt: ['ab', 'b'], maxLength: 12, temperature: 0.8, topK: 5, seed: 7 };
    const { status, body } = await post('/models/charlm/generate', request);
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['model', 'outputs', 'tokens']);
    expect(body.model).toBe('charlm');
    request.prompt.forEach((prompt, b) => {
      const library = generate(charlm.model, { prompt, maxLength: 12, temperature: 0.8, topK: 5, seed: 7 + b });
      expect([body.outputs[b], body.tokens[b]]).toEqual([library.text, library.ids]);
    });
    const greedy = await post('/models/charlm/generate', { prompt: 'ab', strategy: 'greedy', maxLength: 5 });
    expect(greedy.body.tokens[0]).toEqual(generate(charlm.model, { prompt: 'ab', strategy: 'greedy', maxLength: 5 }).ids);
    expect((await post('/models/charlm/generate', {})).status).toBe(200); // every field has a default
  });

  it('is listed in GET /models and in the examples for a model with a tokenizer only', async () => {
    const response = await handler(new Request('http://edge.test/models'));
    const listed = (await response.json()).models as { name: string; operations: string[] }[];
    expect(Object.fromEntries(listed.map((m) => [m.name, m.operations.includes('generate')]))).toEqual({ charlm: true, tagger: false });
    expect(exampleRequests(models.charlm!.describe()).generate).toEqual({ prompt: 'a', maxLength: 20, temperature: 0.8, topK: 5, seed: 1 });
  });

  it('answers bad requests with a 4xx and a code naming the field', async () => {
    const cases: [unknown, number, string, string?][] = [
      [{ prompt: 'ab', temperature: 0 }, 400, 'E_REQUEST', 'temperature'],
      [{ prompt: 'ab', temperature: -2 }, 400, 'E_REQUEST', 'temperature'],
      [{ prompt: 'ab', topK: 0 }, 400, 'E_REQUEST', 'topK'],
      [{ prompt: 'ab', topK: 99 }, 400, 'E_REQUEST', 'topK'],
      [{ prompt: 'ab', topP: 1.5 }, 400, 'E_REQUEST', 'topP'],
      [{ prompt: 'ab', strategy: 'greedy', topK: 2 }, 400, 'E_REQUEST', 'topK'],
      [{ prompt: 'ab', maxLength: 0 }, 400, 'E_REQUEST', 'maxLength'],
      [{ prompt: 'ab', maxLength: 65 }, 422, 'E_LIMIT', 'maxLength'],
      [{ prompt: ['a', 'b', 'a', 'b', 'a'] }, 422, 'E_LIMIT', 'prompt'],
      [{ prompt: [['a']] }, 400, 'E_REQUEST', 'prompt[0]'],
      [{ prompt: 'ab', inputs: [[1]] }, 400, 'E_REQUEST', 'request.inputs'],
      [{ prompt: 'ab', seed: 1.5 }, 400, 'E_REQUEST', 'seed'],
      [[], 400, 'E_REQUEST', 'request'],
      ['{"prompt": "ab"', 400, 'E_JSON'],
    ];
    for (const [body, status, code, where] of cases) {
      const answer = await post('/models/charlm/generate', body);
      expect({ body, status: answer.status, code: answer.body.error?.code, where: answer.body.error?.where }).toEqual({ body, status, code, where });
    }
    expect(await post('/models/tagger/generate', { prompt: 'ab' })).toMatchObject({ status: 422, body: { error: { code: 'E_UNSUPPORTED' } } });
  });
});
