import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, fetchModelBytes, readModelInfo } from '../src/index';
import { codeOf } from './kit';
import { referenceModel, type ReferenceModel } from './models';

const runtime = createRuntime(ort);
let tagger: ReferenceModel;
let server: Server;
let base: string;

beforeAll(async () => {
  tagger = await referenceModel('tagger');
  server = createServer((request, response) => {
    if (request.url === '/tagger.onnx') response.end(tagger.bytes);
    else if (request.url === '/big.onnx') response.end(new Uint8Array(1 << 16));
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  tagger.model.dispose();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** The same model with one metadata value replaced (the protobuf string keeps its length). */
function withMetadata(bytes: Uint8Array, from: string, to: string): Uint8Array {
  if (from.length !== to.length) throw new Error('same-length replacement only');
  const text = Buffer.from(bytes).toString('latin1');
  const at = text.indexOf(from);
  if (at < 0) throw new Error(`${from} not found`);
  return new Uint8Array(Buffer.from(text.slice(0, at) + to + text.slice(at + from.length), 'latin1'));
}

describe('loading', () => {
  it('describes an unfold export from its metadata', async () => {
    const model = await runtime.load(tagger.bytes, { name: 'tagger' });
    expect(model.describe()).toMatchObject({
      name: 'tagger',
      format: 'unfold',
      operations: ['predict', 'stream', 'rollout'],
      producer: expect.stringMatching(/^@unfold\/onnx@/),
      sequence: { inputKind: 'features', inputSize: 3, outputSize: 3, outputKind: 'features', readout: 'sequence', states: [{ path: 'body.h', size: 5 }, { path: 'body.c', size: 5 }], normalisation: null, window: null },
    });
    expect(runtime.versions.common).toBe('1.30.0');
    await model.release();
  });

  it('rejects bytes that are not a model, and broken unfold metadata, with E_MODEL', async () => {
    expect(await codeOf(runtime.load(new Uint8Array([1, 2, 3])))).toBe('E_MODEL');
    expect(await codeOf(runtime.load(new TextEncoder().encode('<html>not found</html>')))).toBe('E_MODEL');
    // A v1 file (committed fixture) with an unknown readout, and with an interface that is not JSON any more.
    const v1 = new Uint8Array(readFileSync(join(import.meta.dirname, 'fixtures/v1/tagger.onnx')));
    expect(await codeOf(runtime.load(withMetadata(v1, '"inputKind":"features","readout":"sequence"', '"inputKind":"features","readout":"sequencf"')))).toBe('E_MODEL');
    expect(await codeOf(runtime.load(withMetadata(v1, '"inputKind":"features"', '"inputKind":"features}')))).toBe('E_MODEL');
    // A graph that parses but uses an operator onnxruntime does not have: refused when the session opens.
    expect(readModelInfo(withMetadata(tagger.bytes, 'LSTM', 'LSTN')).inputs.length).toBe(4);
    expect(await codeOf(runtime.load(withMetadata(tagger.bytes, 'LSTM', 'LSTN')))).toBe('E_MODEL');
  });

  it('fetches a model over HTTP with a size cap', async () => {
    const bytes = await fetchModelBytes(`${base}/tagger.onnx`);
    expect(bytes).toEqual(tagger.bytes);
    const model = await runtime.load(bytes);
    expect(model.format).toBe('unfold');
    await model.release();
    expect(await codeOf(fetchModelBytes(`${base}/big.onnx`, { maxBytes: 1000 }))).toBe('E_MODEL');
    expect(await codeOf(fetchModelBytes(`${base}/missing.onnx`))).toBe('E_MODEL');
    expect(await codeOf(fetchModelBytes('http://127.0.0.1:1/none.onnx'))).toBe('E_MODEL');
  });
});
