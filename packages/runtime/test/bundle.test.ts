import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleFacts } from './bundle-facts';

/**
 * The runtime must stay light enough for the edge: no tfjs, no onnxruntime flavour, no Node built-ins,
 * nothing but its own sources and core's error, interface, tokenizer, sampling, json, decoding and tree modules
 * (onnxruntime-common is used for types only).
 */
describe('@unfold/runtime bundle', () => {
  it('contains only its own modules and imports nothing at run time', async () => {
    const facts = await bundleFacts(join(import.meta.dirname, '../src/index.ts'));
    const core = ['errors', 'interface', 'tokenizer', 'sampling', 'json', 'decoding', 'tree', 'trees/errors', 'trees/parse', 'trees/forest', 'trees/feeds', 'trees/vocabulary'].map((name) => `packages/core/src/${name}.ts`);
    expect(facts.inputs.filter((path) => !path.includes('packages/runtime/src/') && !core.some((allowed) => path.endsWith(allowed)))).toEqual([]);
    expect(facts.imports).toEqual([]);
    // 31.5 kB before contracts v2; reading v2 interfaces and manifests, v1 compatibility, multi-entry loading
    // and operation dispatch brought it to about 44 kB (mostly error texts); generate (core's tokenizer, top-p
    // sampling, the operation) to about 50 kB; checking files before onnxruntime sees them (tensor data
    // against dims, metadata against the graph, depth-limited JSON) and the output limits to about 58 kB;
    // translate (core's beam search and sampling, about 6 kB) and tree predict (core's tree parser and
    // flattening, the tree view and feeds, about 12 kB) to about 79 kB.
    expect(facts.bytes).toBeLessThan(82_000);
  });
});
