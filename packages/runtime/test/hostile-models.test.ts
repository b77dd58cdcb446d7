import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../src/index';
import { HOSTILE_MESSAGES, HOSTILE_ONNX, type HostileOnnx } from './hostile-files';
import { rejection } from './kit';
import { referenceModel, type ReferenceModel } from './models';

/**
 * Crafted model files (issue 15, items 2, 4 and 9) are E_MODEL when they load, before onnxruntime sees
 * them, quickly and without taking memory; the valid export they were made from still loads and runs.
 */
const runtime = createRuntime(ort);
let tagger: ReferenceModel;
const v1Tagger = () => new Uint8Array(readFileSync(join(import.meta.dirname, 'fixtures/v1/tagger.onnx')));

beforeAll(async () => {
  tagger = await referenceModel('tagger');
});

afterAll(() => tagger.model.dispose());

const EXPECTED = HOSTILE_MESSAGES;

describe('hostile model files (issue 15)', () => {
  for (const [name, pattern] of Object.entries(EXPECTED) as [HostileOnnx, RegExp][]) {
    it(`${name}: E_MODEL at load (v2 export and v1 file)`, async () => {
      for (const source of [tagger.bytes, v1Tagger()]) {
        const before = process.memoryUsage().rss;
        const started = performance.now();
        const error = await rejection(runtime.load(HOSTILE_ONNX[name](source), { name: 'hostile' }));
        expect(error.code).toBe('E_MODEL');
        expect(error.message).toMatch(pattern);
        expect(performance.now() - started).toBeLessThan(2000);
        expect(process.memoryUsage().rss - before).toBeLessThan(200 * 2 ** 20);
      }
    });
  }

  it('item 9: a state whose declared size agrees nowhere with the graph is named', async () => {
    const error = await rejection(runtime.load(HOSTILE_ONNX.hugeStateSize(tagger.bytes), { name: 'hostile' }));
    expect(error.message).toMatch(/hostile: states\[0\]/);
  });

  it('the export the files were made from loads and predicts', async () => {
    const model = await runtime.load(tagger.bytes, { name: 'tagger' });
    expect(model.describe().operations).toContain('predict');
    const result = (await model.run('predict', { inputs: [[[0.1, 0.2, 0.3]]] })) as { outputs: number[][][] };
    expect(result.outputs[0]?.[0]).toHaveLength(3);
    await model.release();
  });
});
