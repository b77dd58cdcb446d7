import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRuntime, type LoadedModel } from '@unfold/runtime';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceModel } from '../../../packages/runtime/test/models';
import { treeReference } from '../../../packages/runtime/test/tree-models';
import { createHandler, curlExamples, exampleRequests, staticRegistry, type FetchHandler } from '../src/index';
import { TORCH_FIXTURES } from './support/fixtures';

const runtime = createRuntime(ort);
const models: Record<string, LoadedModel> = {};
let handler: FetchHandler;

beforeAll(async () => {
  for (const name of ['forecaster', 'tagger', 'charlm'] as const) {
    const reference = await referenceModel(name);
    models[name] = await runtime.load(reference.bytes, { name });
    reference.model.dispose();
  }
  for (const name of ['arithmetic', 'features'] as const) {
    const reference = await treeReference(name);
    models[`tree-${name}`] = await runtime.load(reference.bytes, { name: `tree-${name}` });
    reference.model.dispose();
  }
  models['torch-lstm'] = await runtime.load(new Uint8Array(readFileSync(join(TORCH_FIXTURES, 'lstm_bidir_packed_unsorted_h0c0_batch_first.onnx'))), { name: 'torch-lstm' });
  handler = createHandler({ models: staticRegistry(models) });
});

afterAll(async () => {
  for (const model of Object.values(models)) await model.release();
});

describe('example requests', () => {
  it('are built for every operation a model has, and each one succeeds', async () => {
    for (const model of Object.values(models)) {
      const examples = exampleRequests(model.describe());
      expect(Object.keys(examples)).toEqual(model.describe().operations);
      for (const [operation, body] of Object.entries(examples)) {
        const response = await handler(new Request(`http://edge.test/models/${model.name}/${operation}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
        expect({ model: model.name, operation, status: response.status }).toEqual({ model: model.name, operation, status: 200 });
      }
    }
  });

  it('uses a forecaster’s window and normalisation, and samples a token model', () => {
    const forecaster = exampleRequests(models.forecaster!.describe());
    expect(forecaster.predict?.inputs).toEqual([Array.from({ length: 6 }, (_, t) => Math.round((0.9 + 0.5 * 0.25 * Math.sin(t)) * 1e4) / 1e4)]); // window 6 around mean 0.9, std 0.25
    expect(forecaster.rollout).toMatchObject({ steps: 10, feedback: 'window' });
    expect(exampleRequests(models.charlm!.describe()).rollout).toMatchObject({ sampling: { strategy: 'sample', topK: 5, seed: 1 } });
  });

  it('sends a tree model a tree: words of its tokenizer, or node features', () => {
    expect(exampleRequests(models['tree-arithmetic']!.describe()).predict).toEqual({ trees: ['(* + -)'] });
    expect(exampleRequests(models['tree-features']!.describe()).predict).toEqual({ trees: [{ features: [0, 0.1, 0.2], children: [{ features: [0.1, 0.2, 0.3] }, { features: [0.2, 0.3, 0.4] }] }] });
  });

  it('quotes curl commands for a POSIX shell', () => {
    const [predict] = curlExamples("http://127.0.0.1:8080", { ...models.tagger!.describe(), name: "it's" });
    expect(predict).toMatch(/^curl -s 'http:\/\/127\.0\.0\.1:8080\/models\/it'\\''s\/predict' -H 'content-type: application\/json' -d '\{"inputs":/);
  });
});
