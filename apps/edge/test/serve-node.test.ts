import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceModel, worstExcess, type ReferenceModel } from '../../../packages/runtime/test/models';
import { serveNode } from '../src/node';
import { call, post } from './support/client';

/** `serveNode`, what `unfold serve` calls for the Node runtime: a folder in, a listening server out. */
let folder: string;
let tagger: ReferenceModel;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'unfold-serve-'));
  tagger = await referenceModel('tagger', 4);
  writeFileSync(join(folder, 'tagger.onnx'), tagger.bytes);
  writeFileSync(join(folder, 'notes.txt'), 'not a model');
});

afterAll(() => {
  tagger.model.dispose();
  rmSync(folder, { recursive: true, force: true });
});

describe('serveNode', () => {
  it('serves the .onnx files of a folder on a free port, with curl examples, and closes', async () => {
    const server = await serveNode({ models: folder, port: 0, limits: { maxBatch: 2 } });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.models).toEqual(['tagger']);
      expect(server.examples).toHaveLength(3);
      expect(server.examples[0]).toContain(`${server.url}/models/tagger/predict`);
      const inputs = [[[0.5, -0.5, 0.25]]];
      const answer = await post(`${server.url}/models/tagger/predict`, { inputs });
      expect(worstExcess(answer.body.outputs, tagger.forward(inputs).outputs)).toBeLessThanOrEqual(0);
      expect((await post(`${server.url}/models/tagger/predict`, { inputs: [inputs[0], inputs[0], inputs[0]] })).body.error.code).toBe('E_LIMIT');
    } finally {
      await server.close();
    }
    await expect(call(`${server.url}/health`)).rejects.toThrow();
  });

  it('refuses a missing folder and a file that is not a model, naming it', async () => {
    await expect(serveNode({ models: join(folder, 'missing'), port: 0 })).rejects.toMatchObject({ name: 'ModelFolderError', message: expect.stringContaining('no such file or folder') });
    writeFileSync(join(folder, 'broken.onnx'), 'not protobuf at all');
    await expect(serveNode({ models: folder, port: 0 })).rejects.toMatchObject({ name: 'ModelFolderError', message: expect.stringContaining('broken.onnx') });
    rmSync(join(folder, 'broken.onnx'));
  });
});
