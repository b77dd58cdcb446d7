import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime, type LoadedModel } from '@unfold/runtime';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceModel, type ReferenceModel } from '../../../packages/runtime/test/models';
import { createHandler, staticRegistry, type FetchHandler } from '../src/index';
import { defaultAllowedHosts, isAllowedHost } from '../src/hosts';
import { createNodeServer, loadModelFolder } from '../src/node';

/**
 * Regression tests for the edge server's defects in issue 15, each built from its description: unknown
 * methods (5), aborted bodies (5), Host checks (10), deep bodies (4), amplifying requests, load shedding,
 * the time budget and slow readers (1), `__proto__` as a model name (6) and special files in a served
 * folder (8).
 */
const runtime = createRuntime(ort);
let charlm: ReferenceModel;
let model: LoadedModel;

beforeAll(async () => {
  charlm = await referenceModel('charlm', 3);
  model = await runtime.load(charlm.bytes, { name: 'charlm' });
});

afterAll(async () => {
  await model.release();
  charlm.model.dispose();
});

const post = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

async function answer(handler: FetchHandler, path: string, init: RequestInit = {}, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await handler(new Request(`http://127.0.0.1${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), ...headers } }));
  return { status: response.status, body: await response.json(), headers: response.headers };
}

/** A model whose every call takes `ms` and answers `result`: to fill slots and budgets deterministically. */
function slowModel(ms: number, result: () => Record<string, unknown> = () => ({ outputs: [[[1]]] })): LoadedModel & { calls: number; finished: number } {
  const fake = {
    format: 'unfold',
    name: 'slow',
    entries: ['main'],
    calls: 0,
    finished: 0,
    describe: () => ({ name: 'slow', format: 'unfold', operations: ['predict'] }),
    run: async () => {
      fake.calls++;
      await new Promise((resolve) => setTimeout(resolve, ms));
      fake.finished++;
      return result();
    },
    release: async () => undefined,
  };
  return fake as unknown as LoadedModel & { calls: number; finished: number };
}

const ids = (batch: number, time: number) => Array.from({ length: batch }, (_, b) => Array.from({ length: time }, (_, t) => (b + t) % 7));

async function listen(handler: FetchHandler, options = {}): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const server = createNodeServer(handler, options);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Sends raw bytes on a fresh connection; resolves with everything the server wrote before it closed (or `waitMs`). */
function raw(port: number, text: string, waitMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const done = () => {
      socket.destroy();
      resolve(received);
    };
    const timer = setTimeout(done, waitMs);
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.on('error', () => undefined);
    socket.write(text);
  });
}

describe('item 5: unknown methods and aborted bodies', () => {
  it('TRACE, TRACK, CONNECT, PUT and made-up methods get 405 on Node, never a 500, and nothing is reported as internal', async () => {
    const internal: unknown[] = [];
    const { port, close } = await listen(createHandler({ models: staticRegistry({ charlm: model }), onInternalError: (e) => internal.push(e) }));
    try {
      for (const request of ['TRACE /health HTTP/1.1', 'TRACK /health HTTP/1.1', 'CONNECT 127.0.0.1:80 HTTP/1.1', 'PUT /models/charlm/predict HTTP/1.1', 'FOO /health HTTP/1.1', 'TRACE /nowhere HTTP/1.1']) {
        const text = await raw(port, `${request}\r\nhost: 127.0.0.1\r\ncontent-length: 0\r\n\r\n`);
        // node:http's parser knows TRACE, CONNECT and PUT (405 with Allow); TRACK and FOO it refuses itself (400).
        const known = !/^(FOO|TRACK)/.test(request);
        expect(text.slice(0, 12), request).toBe(known ? 'HTTP/1.1 405' : 'HTTP/1.1 400');
        if (known) expect(text, request).toMatch(/allow: (GET|POST)/i);
      }
      expect(internal).toEqual([]);
    } finally {
      await close();
    }
  });

  it('a client that aborts mid-body is a client abort, not an internal error', async () => {
    const internal: unknown[] = [];
    const aborts: string[] = [];
    const { port, close } = await listen(createHandler({ models: staticRegistry({ charlm: model }), onInternalError: (e) => internal.push(e), onClientAbort: (r) => aborts.push(new URL(r.url).pathname) }));
    try {
      await new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write('POST /models/charlm/predict HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{"inputs": [[1, 2, 3');
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 100);
        });
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(aborts).toEqual(['/models/charlm/predict']);
      expect(internal).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe('item 10: the Host header (DNS rebinding)', () => {
  it('answers only the bound address’s names by default', async () => {
    const handler = createHandler({ models: staticRegistry({ charlm: model }), allowedHosts: defaultAllowedHosts('127.0.0.1') });
    for (const host of ['127.0.0.1:8080', 'localhost:8080', 'LOCALHOST', '[::1]:8080', 'app.localhost:3000', 'localhost.']) {
      expect((await answer(handler, '/health', {}, { host })).status, host).toBe(200);
    }
    for (const host of ['evil.example', 'evil.example:8080', '127.0.0.1.nip.io', '10.0.0.5', 'localhost.evil.example']) {
      expect(await answer(handler, '/health', {}, { host }), host).toMatchObject({ status: 403, body: { error: { code: 'E_HOST' } } });
    }
  });

  it('allows named hosts, any IP literal on a wildcard bind, and anything with *', () => {
    expect(isAllowedHost('my.box:8080', defaultAllowedHosts('127.0.0.1', ['my.box']))).toBe(true);
    expect(isAllowedHost('other.box', defaultAllowedHosts('127.0.0.1', ['my.box']))).toBe(false);
    expect(isAllowedHost('192.168.1.20:8080', defaultAllowedHosts('0.0.0.0'))).toBe(true);
    expect(isAllowedHost('[fe80::1]:8080', defaultAllowedHosts('::'))).toBe(true);
    expect(isAllowedHost('rebound.example', defaultAllowedHosts('0.0.0.0'))).toBe(false);
    expect(isAllowedHost('192.168.1.20', defaultAllowedHosts('192.168.1.20'))).toBe(true);
    expect(isAllowedHost('anything.example', defaultAllowedHosts('127.0.0.1', ['*']))).toBe(true);
  });
});

describe('item 4: deep request bodies', () => {
  it('a body nested 500,000 deep is 400 E_JSON (maxJsonDepth) without being parsed', async () => {
    const handler = createHandler({ models: staticRegistry({ charlm: model }) });
    const deep = `{"inputs": ${'['.repeat(500_000)}${']'.repeat(500_000)}}`;
    const started = performance.now();
    const result = await answer(handler, '/models/charlm/predict', post(deep));
    expect(performance.now() - started).toBeLessThan(250);
    expect(result).toMatchObject({ status: 400, body: { error: { code: 'E_JSON', limit: 'maxJsonDepth' } } });
  });
});

describe('item 1: bounded work, answers, concurrency, time and slow readers', () => {
  it('the audit’s amplifying predict (64 × 4,096 ids to a character model) is refused before work', async () => {
    const handler = createHandler({ models: staticRegistry({ charlm: model }) });
    const started = performance.now();
    const result = await answer(handler, '/models/charlm/predict', post({ inputs: ids(64, 4096) }));
    expect(result).toMatchObject({ status: 422, body: { error: { code: 'E_LIMIT', limit: 'maxSteps' } } });
    expect(performance.now() - started).toBeLessThan(1000);
    // maxResponseBytes caps the numbers an answer may hold before work: 24 bytes each.
    const small = createHandler({ models: staticRegistry({ charlm: model }), limits: { maxResponseBytes: 24 * 1000 } });
    expect((await answer(small, '/models/charlm/predict', post({ inputs: ids(8, 200) }))).body.error).toMatchObject({ code: 'E_LIMIT', limit: 'maxOutputElements' });
    expect((await answer(small, '/models/charlm/predict', post({ inputs: ids(2, 20) }))).status).toBe(200);
  });

  it('an answer larger than maxResponseBytes after the run (a plain graph’s) is E_LIMIT', async () => {
    const big = slowModel(1, () => ({ outputs: { y: Array.from({ length: 5000 }, () => 0.123456789) } }));
    const handler = createHandler({ models: staticRegistry({ big }), limits: { maxResponseBytes: 10_000 } });
    expect((await answer(handler, '/models/big/predict', post({ inputs: {} }))).body.error).toMatchObject({ code: 'E_LIMIT', limit: 'maxResponseBytes' });
  });

  it('sheds load beyond maxConcurrent running and maxQueue waiting: 503 E_BUSY with Retry-After', async () => {
    const slow = slowModel(200);
    const handler = createHandler({ models: staticRegistry({ slow }), limits: { maxConcurrent: 2, maxQueue: 2 } });
    const answers = await Promise.all(Array.from({ length: 8 }, () => answer(handler, '/models/slow/predict', post({ inputs: [[1]] }))));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 503, 503, 503, 503]);
    const shed = answers.find((a) => a.status === 503);
    expect(shed?.body.error).toMatchObject({ code: 'E_BUSY', limit: 'maxQueue' });
    expect(shed?.headers.get('retry-after')).toBe('1');
    expect(slow.calls).toBe(4);
  });

  it('runs large bodies in a lane of their own: light calls do not queue behind them', async () => {
    const calls: number[] = [];
    const sized = {
      format: 'unfold',
      name: 'sized',
      describe: () => ({ operations: ['predict'] }),
      run: async (_operation: string, request: { inputs: unknown[] }) => {
        calls.push(request.inputs.length);
        await new Promise((resolve) => setTimeout(resolve, request.inputs.length > 100 ? 300 : 10));
        return { outputs: [[[1]]] };
      },
      release: async () => undefined,
    } as unknown as LoadedModel;
    const handler = createHandler({ models: staticRegistry({ sized }), limits: { heavyBodyBytes: 1000, maxHeavyConcurrent: 1, maxHeavyQueue: 1 } });
    const started = performance.now();
    const timed = (body: unknown) => answer(handler, '/models/sized/predict', post(body)).then((a) => ({ status: a.status, code: a.body.error?.code, ms: performance.now() - started }));
    const heavyCalls = Array.from({ length: 4 }, () => timed({ inputs: Array.from({ length: 400 }, () => [1]) }));
    const lightCalls = Array.from({ length: 4 }, () => timed({ inputs: [[1]] }));
    const [heavyAnswers, lightAnswers] = await Promise.all([Promise.all(heavyCalls), Promise.all(lightCalls)]);
    expect(heavyAnswers.map((a) => a.status).sort()).toEqual([200, 200, 503, 503]);
    expect(heavyAnswers.filter((a) => a.status === 503).every((a) => a.code === 'E_BUSY')).toBe(true);
    expect(lightAnswers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(Math.max(...lightAnswers.map((a) => a.ms))).toBeLessThan(250); // the first heavy call takes 300 ms
  });

  it('answers 503 E_TIMEOUT at the time budget; the slot stays taken until the run ends', async () => {
    const slow = slowModel(400);
    const handler = createHandler({ models: staticRegistry({ slow }), limits: { maxRequestMs: 100, maxConcurrent: 1, maxQueue: 4 } });
    const started = performance.now();
    const [first, second] = await Promise.all([answer(handler, '/models/slow/predict', post({ inputs: [[1]] })), answer(handler, '/models/slow/predict', post({ inputs: [[1]] }))]);
    const elapsed = performance.now() - started;
    expect(first.body.error).toMatchObject({ code: 'E_TIMEOUT', limit: 'maxRequestMs' });
    expect(second.body.error).toMatchObject({ code: 'E_TIMEOUT' });
    expect(elapsed).toBeLessThan(300);
    expect(slow.calls).toBe(1); // the second never ran: it waited for the one slot and timed out
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(slow.finished).toBe(1);
  });

  it('drops a client that does not read its answer after maxWriteMs, freeing the buffered answer', async () => {
    // ~30 MB: more than the loopback socket buffers take, so the rest stays in the server until dropped.
    const big = slowModel(1, () => ({ outputs: Array.from({ length: 2_500_000 }, () => 0.123456789) }));
    const { server, port, close } = await listen(createHandler({ models: staticRegistry({ big }), limits: { maxResponseBytes: 64 << 20 } }), { writeTimeoutMs: 300 });
    const client = connect(port, '127.0.0.1');
    try {
      const dropped = new Promise<number>((resolve) => {
        server.once('connection', (socket) => {
          const opened = performance.now();
          socket.once('close', () => resolve(performance.now() - opened));
        });
      });
      client.on('error', () => undefined);
      client.write('POST /models/big/predict HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 16\r\n\r\n{"inputs":[[1]]}');
      client.pause(); // never reads
      const ms = await dropped;
      expect(ms).toBeGreaterThanOrEqual(300);
      expect(ms).toBeLessThan(5000);
      expect(await new Promise<number>((resolve) => server.getConnections((_e, n) => resolve(n)))).toBe(0);
    } finally {
      client.destroy();
      await close();
    }
  });
});

describe('items 6 and 8: served folders', () => {
  let folder: string;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'unfold-hostile-folder-'));
  });

  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('a file named __proto__.onnx is served like any other model', async () => {
    writeFileSync(join(folder, '__proto__.onnx'), charlm.bytes);
    writeFileSync(join(folder, 'constructor.onnx'), charlm.bytes);
    const models = await loadModelFolder(runtime, folder);
    try {
      expect(Object.keys(models).sort()).toEqual(['__proto__', 'constructor']);
      const handler = createHandler({ models: staticRegistry(models) });
      expect((await answer(handler, '/health')).body.models).toEqual(['__proto__', 'constructor']);
      expect((await answer(handler, '/models/__proto__/predict', post({ inputs: [[1, 2]] }))).status).toBe(200);
    } finally {
      await Promise.all(Object.values(models).map((m) => m.release()));
      rmSync(join(folder, '__proto__.onnx'));
      rmSync(join(folder, 'constructor.onnx'));
    }
  });

  it('a FIFO named x.onnx is skipped with a warning instead of hanging start-up', async () => {
    writeFileSync(join(folder, 'charlm.onnx'), charlm.bytes);
    execFileSync('mkfifo', [join(folder, 'x.onnx')]);
    const warnings: string[] = [];
    const started = performance.now();
    const models = await loadModelFolder(runtime, folder, undefined, (message) => warnings.push(message));
    try {
      expect(performance.now() - started).toBeLessThan(5000);
      expect(Object.keys(models)).toEqual(['charlm']);
      expect(warnings).toEqual([`skipping ${join(folder, 'x.onnx')}: not a regular file`]);
    } finally {
      await Promise.all(Object.values(models).map((m) => m.release()));
    }
  });
});
