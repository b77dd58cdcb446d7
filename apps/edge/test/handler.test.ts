import { createRuntime, type LoadedModel } from '@unfold/runtime';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler, ERROR_STATUS, lazyRegistry, staticRegistry, type FetchHandler } from '../src/index';
import { referenceModel, worstExcess, type ReferenceModel } from '../../../packages/runtime/test/models';

/** The handler in this process, requests as web Request objects: routing, statuses and limits. */
const runtime = createRuntime(ort);
let tagger: ReferenceModel;
let model: LoadedModel;
let handler: FetchHandler;
const internalErrors: unknown[] = [];

beforeAll(async () => {
  tagger = await referenceModel('tagger', 3);
  model = await runtime.load(tagger.bytes, { name: 'tagger' });
  handler = createHandler({ models: staticRegistry({ tagger: model }), limits: { maxBodyBytes: 1000, maxBatch: 4 }, about: { runtime: 'test' }, onInternalError: (error) => internalErrors.push(error) });
});

afterAll(async () => {
  await model.release();
  tagger.model.dispose();
});

async function send(path: string, init: RequestInit = {}, using = handler): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await using(new Request(`http://edge.test${path}`, init));
  return { status: response.status, body: await response.json(), headers: response.headers };
}

const json = (body: unknown, type = 'application/json'): RequestInit => ({ method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('routes', () => {
  it('serves health, the model list and one model', async () => {
    expect(await send('/health')).toMatchObject({ status: 200, body: { status: 'ok', models: ['tagger'], runtime: 'test' } });
    expect((await send('/models')).body.models.map((m: { name: string }) => m.name)).toEqual(['tagger']);
    expect((await send('/models/tagger')).body).toMatchObject({ name: 'tagger', format: 'unfold' });
    expect((await send('/models/tagger/')).status).toBe(200); // a trailing slash is the same resource
  });

  it('predicts through the handler as the runtime does', async () => {
    const inputs = [[[0.1, 0.2, 0.3]], [[0.3, 0.2, 0.1], [0, 0, 1]]];
    const { status, body } = await send('/models/tagger/predict', json({ inputs }));
    expect(status).toBe(200);
    expect(body.model).toBe('tagger');
    expect(worstExcess(body.outputs, tagger.forward(inputs).outputs)).toBeLessThanOrEqual(0);
  });

  it('maps unknown paths, models and methods to 404 / 404 / 405 with an Allow header', async () => {
    expect(await send('/nothing')).toMatchObject({ status: 404, body: { error: { code: 'E_NOT_FOUND' } } });
    expect(await send('/models/tagger/train', json({}))).toMatchObject({ status: 404, body: { error: { code: 'E_NOT_FOUND' } } });
    expect(await send('/models/%E0%A4%A/predict', json({}))).toMatchObject({ status: 404, body: { error: { code: 'E_NOT_FOUND' } } });
    expect(await send('/models/other/predict', json({ inputs: [] }))).toMatchObject({ status: 404, body: { error: { code: 'E_MODEL_NOT_FOUND', expected: 'one of "tagger"' } } });
    const get = await send('/models/tagger/predict');
    expect(get).toMatchObject({ status: 405, body: { error: { code: 'E_METHOD' } } });
    expect(get.headers.get('allow')).toBe('POST');
    expect((await send('/health', { method: 'DELETE' })).headers.get('allow')).toBe('GET');
  });
});

describe('bodies', () => {
  it('accepts JSON content types with parameters and +json types; refuses others with 415', async () => {
    const body = { inputs: [[[0, 0, 0]]] };
    expect((await send('/models/tagger/predict', json(body, 'application/json; charset=UTF-8'))).status).toBe(200);
    expect((await send('/models/tagger/predict', json(body, 'Application/JSON'))).status).toBe(200);
    expect((await send('/models/tagger/predict', json(body, 'application/vnd.api+json'))).status).toBe(200);
    for (const type of ['text/json', 'text/plain', 'multipart/form-data', 'application/jsonx']) {
      expect(await send('/models/tagger/predict', json(body, type))).toMatchObject({ status: 415, body: { error: { code: 'E_CONTENT_TYPE' } } });
    }
  });

  it('caps the body at exactly maxBodyBytes, by Content-Length and by counting', async () => {
    const exact = `{"inputs": [[[0, 0, 0]]]}${' '.repeat(1000 - 25)}`;
    expect(new TextEncoder().encode(exact).length).toBe(1000);
    expect((await send('/models/tagger/predict', json(exact))).status).toBe(200);
    expect(await send('/models/tagger/predict', json(`${exact} `))).toMatchObject({ status: 413, body: { error: { code: 'E_BODY_TOO_LARGE', limit: 'maxBodyBytes' } } });
    // A streamed body without Content-Length is counted while it is read.
    const chunks = [new TextEncoder().encode('{"inputs": ['), ...Array.from({ length: 100 }, () => new TextEncoder().encode('[[0, 0, 0]], '))];
    const stream = new ReadableStream({ pull: (c) => (chunks.length ? c.enqueue(chunks.shift()) : c.close()) });
    expect((await send('/models/tagger/predict', { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit)).status).toBe(413);
  });

  it('rejects non-UTF-8 and non-JSON bodies with 400 E_JSON', async () => {
    expect(await send('/models/tagger/predict', { ...json(''), body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) })).toMatchObject({ status: 400, body: { error: { code: 'E_JSON' } } });
    for (const text of ['', '{', '{"inputs": [[[NaN, 0, 0]]]}', "{'inputs': 1}"]) {
      expect(await send('/models/tagger/predict', json(text))).toMatchObject({ status: 400, body: { error: { code: 'E_JSON' } } });
    }
  });

  it('maps the runtime’s codes to their statuses, with the details', async () => {
    const cases: [unknown, string][] = [
      [[1], 'E_REQUEST'],
      [{ inputs: [[[0, 0]]] }, 'E_SHAPE'],
      [{ inputs: [[[0, true, 0]]] }, 'E_DTYPE'],
      [{ inputs: [[[0, null, 0]]] }, 'E_NON_FINITE'],
      [{ inputs: [[[0, 0, 0]], [[0, 0, 0]], [[0, 0, 0]], [[0, 0, 0]], [[0, 0, 0]]] }, 'E_LIMIT'],
    ];
    for (const [body, code] of cases) {
      const answer = await send('/models/tagger/predict', json(body));
      expect({ status: answer.status, code: answer.body.error.code }).toEqual({ status: ERROR_STATUS[code as 'E_SHAPE'], code });
    }
    expect((await send('/models/tagger/predict', json({ inputs: [[[0, 0]]] }))).body.error).toMatchObject({ where: 'inputs[0][0]', expected: 'an array of 3 numbers', got: 'an array of 2' });
  });
});

describe('internal faults', () => {
  it('answers 500 without details, reports the error to the server, and retries a lazy load', async () => {
    let attempts = 0;
    const lazy = createHandler({
      models: lazyRegistry(['tagger'], async (name) => {
        attempts += 1;
        return runtime.load(attempts === 1 ? new Uint8Array([8, 1, 2]) : tagger.bytes, { name });
      }),
      onInternalError: (error) => internalErrors.push(error),
    });
    const failed = await send('/models/tagger/predict', json({ inputs: [[[0, 0, 0]]] }), lazy);
    expect(failed).toMatchObject({ status: 500, body: { error: { code: 'E_INTERNAL', message: 'internal error; the server log has details' } } });
    expect(Object.keys(failed.body.error)).toEqual(['code', 'message']);
    expect(internalErrors).toHaveLength(1);
    expect((await send('/models/tagger/predict', json({ inputs: [[[0, 0, 0]]] }), lazy)).status).toBe(200);
    expect(attempts).toBe(2);
  });

  it('keeps answering when the error reporter itself throws', async () => {
    const throwing = createHandler({
      models: lazyRegistry(['broken'], () => Promise.reject(new Error('disk on fire'))),
      onInternalError: () => {
        throw new Error('logger down');
      },
    });
    const answer = await send('/models/broken', {}, throwing);
    expect(answer.status).toBe(500);
    expect(JSON.stringify(answer.body)).not.toContain('disk on fire');
  });
});
