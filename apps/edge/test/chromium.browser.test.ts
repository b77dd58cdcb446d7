import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { build } from 'esbuild';
import { CHROMIUM_ARGS, chromiumPath } from '@unfold/testing';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomSequences, referenceModel, worstExcess, type ReferenceModel } from '../../../packages/runtime/test/models';
import type { BrowserResult, BrowserRun } from './browser/page';
import { ROOT, workDir } from './support/servers';

/**
 * onnxruntime-web in headless Chromium (Debian's `chromium`, driven by playwright-core): the page in
 * test/browser runs @unfold/runtime over onnxruntime-web (ORT's own files, import-mapped) on an unfold LSTM
 * export, served with COOP/COEP (cross-origin isolated, so wasm threads work) by a node:http server on
 * 127.0.0.1, and must give what unfold's forward gives, with 1 and with 2 threads.
 */
const LABEL = 'browser';
const PAGE_DIR = join(import.meta.dirname, 'browser');
const ORT_DIST = join(ROOT, 'node_modules/onnxruntime-web/dist');
const TYPES: Readonly<Record<string, string>> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.onnx': 'application/octet-stream' };

let server: Server;
let origin: string;
let browser: Browser;
let tagger: ReferenceModel;

/** GET-only static server: the page, its bundled script, onnxruntime-web's dist files, the model. */
function serve(files: ReadonlyMap<string, Buffer | Uint8Array>): Promise<Server> {
  const http = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    let body = files.get(path === '/' ? '/index.html' : path);
    if (!body && path.startsWith('/ort/') && /^[\w.-]+\.(mjs|wasm)$/.test(path.slice(5))) {
      try {
        body = readFileSync(normalize(join(ORT_DIST, path.slice(5))));
      } catch {
        body = undefined;
      }
    }
    const headers = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cache-control': 'no-store' };
    if (request.method !== 'GET' || !body) {
      response.writeHead(request.method !== 'GET' ? 405 : 404, headers).end();
      return;
    }
    response.writeHead(200, { ...headers, 'content-type': TYPES[path.slice(path.lastIndexOf('.'))] ?? TYPES['.html'], 'content-length': body.length }).end(body);
  });
  return new Promise((resolve) => http.listen(0, '127.0.0.1', () => resolve(http)));
}

async function pageScript(): Promise<Uint8Array> {
  const dir = workDir(LABEL);
  mkdirSync(dir, { recursive: true });
  const result = await build({
    entryPoints: [join(PAGE_DIR, 'page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@unfold/source'],
    external: ['onnxruntime-web'],
    write: false,
    logLevel: 'error',
  });
  return result.outputFiles[0]!.contents;
}

beforeAll(async () => {
  tagger = await referenceModel('tagger', 21);
  const files = new Map<string, Buffer | Uint8Array>([
    ['/index.html', readFileSync(join(PAGE_DIR, 'index.html'))],
    ['/page.js', await pageScript()],
    ['/models/tagger.onnx', tagger.bytes],
  ]);
  server = await serve(files);
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_ARGS], timeout: 60_000 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  tagger?.model.dispose();
  rmSync(workDir(LABEL), { recursive: true, force: true });
});

/** Runs `run` in a fresh page (onnxruntime-web initialises once per page, with its thread count). */
async function inBrowser(run: BrowserRun): Promise<BrowserResult> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // onnxruntime-web falls back to one thread with a console warning when threads cannot run.
    page.on('console', (message) => ['warning', 'error'].includes(message.type()) && errors.push(message.text()));
    await page.goto(`${origin}/`, { timeout: 30_000 });
    // A string, not a function: vitest would rewrite a function's dynamic import for Node.
    const result = (await page.evaluate(`import('/page.js').then((page) => page.runInBrowser(${JSON.stringify(run)}))`)) as BrowserResult;
    expect(errors).toEqual([]);
    return result;
  } finally {
    await context.close();
  }
}

describe('onnxruntime-web in headless Chromium', () => {
  const inputs = randomSequences(60, [9, 4, 7], 3);
  const chunks = [[0, 3], [3, 6], [6, 9]].map(([from, to]) => inputs.map((s) => s.slice(from, to)));

  for (const threads of [1, 2]) {
    it(`runs an unfold LSTM export as unfold's forward does, streaming included (${threads} thread${threads > 1 ? 's' : ''})`, async () => {
      const result = await inBrowser({ model: '/models/tagger.onnx', threads, predict: { inputs }, stream: { chunks } });
      expect(result.crossOriginIsolated).toBe(true);
      expect(result.threads).toBe(threads);
      expect(result.versions).toMatchObject({ common: '1.30.0', web: '1.30.0' });
      const reference = tagger.forward(inputs);
      expect(worstExcess((result.predict as { outputs: unknown }).outputs, reference.outputs)).toBeLessThanOrEqual(0);
      const streamed = inputs.map((_, b) => result.chunks.flatMap((chunk) => (chunk.outputs as number[][][])[b] ?? []));
      expect(worstExcess(streamed, reference.outputs)).toBeLessThanOrEqual(0);
      expect(worstExcess(Object.values(result.chunks.at(-1)?.state as object), reference.states)).toBeLessThanOrEqual(0);
    }, 90_000);
  }
});
