import { join } from 'node:path';
import { createRuntime } from '@unfold/runtime';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { createHandler, staticRegistry } from '../src/index';
import { loadModelFolder } from '../src/server/folder';

/**
 * The two-entry toy the exporter writes (packages/runtime/test/fixtures/v2/encoder-step, made by
 * tools/fixtures/generate-v2-entries.mjs): served as one model, its entries and their documented tasks
 * appear in GET /models.
 */
const FIXTURE = join(import.meta.dirname, '../../../packages/runtime/test/fixtures/v2/encoder-step');

describe('an exported two-entry model at the edge', () => {
  it('loads both entries from its folder and lists their tasks in GET /models', async () => {
    const models = await loadModelFolder(createRuntime(ort), FIXTURE);
    try {
      expect(Object.keys(models)).toEqual(['encoder-step']);
      const handler = createHandler({ models: staticRegistry(models) });
      const body = await (await handler(new Request('http://edge.test/models'))).json();
      const [model] = body.models;
      expect(model.name).toBe('encoder-step');
      expect(model.entries.map((e: { name: string }) => e.name)).toEqual(['encoder', 'step']);
      for (const entry of model.entries) expect(entry.tasks.length).toBeGreaterThan(0);
      expect(model.entries[1].states.length).toBeGreaterThan(0);
    } finally {
      await Promise.all(Object.values(models).map((m) => m.release()));
    }
  });
});
