import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleFacts } from '../../../packages/runtime/test/bundle-facts';

/**
 * The handler must run where there is no Node (Workers, browsers): its bundle, with @unfold/runtime
 * and core's import-free modules (errors, interface, tokenizer, sampling, json, decoding, tree) inlined, may import
 * nothing, neither a Node built-in nor an onnxruntime flavour.
 */
describe('@unfold/edge handler bundle', () => {
  it('imports nothing at run time', async () => {
    const facts = await bundleFacts(join(import.meta.dirname, '../src/index.ts'));
    expect(facts.imports).toEqual([]);
    expect(facts.inputs.filter((path) => !/(apps\/edge|packages\/runtime)\/src\//.test(path) && !/packages\/core\/src\/(errors|interface|tokenizer|sampling|json|decoding|tree|trees\/[a-z]+)\.ts$/.test(path))).toEqual([]);
    // About 100 kB with seq2seq's searches and the tree parser (the runtime's own bundle test itemises them).
    expect(facts.bytes).toBeLessThan(110_000);
  });
});
