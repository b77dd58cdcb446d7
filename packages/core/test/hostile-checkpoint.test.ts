import { mkdtemp, readdir, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSafetensors, DEFAULT_MAX_JSON_DEPTH, deserializeModel, createRegistry, initWeights, jsonNestingDepth, parseJsonLimited, readCheckpoint, resolveModel, scanJson } from '../src/index';
import { saveModel, loadModel } from '../src/node';
import { errorOf } from './error-of';
import { craftCheckpoint as craftText, deepArray, deepSpec, type Entry } from './hostile-checkpoints';
import { toyCell, toyHead, toyLayer, toySpec } from './toy-plugins';

/**
 * Hostile checkpoints from the adversarial audit (issue 15, items 4, 6 and 7): every one is a typed
 * SerializationError, quickly, never a stack overflow or a prototype swap.
 */
const registry = createRegistry([toyCell, toyLayer, toyHead]);
const weights = initWeights(resolveModel(registry, toySpec), 7);

const plugins = JSON.stringify({ 'toy-loop': { package: 'x', version: '0', schemaVersion: registry.lookup('toy-loop').schemaVersion }, 'toy-cell': { package: 'x', version: '0', schemaVersion: registry.lookup('toy-cell').schemaVersion } });
const checkpointMetadata = (spec: string) => ({ format: 'unfold.checkpoint', format_version: '1', producer: 'test', spec, plugins });
const realTensors = Object.entries(weights).sort(([a], [b]) => (a < b ? -1 : 1));

describe('the depth-limited JSON parser', () => {
  it('measures depth and members iteratively, ignoring brackets inside strings', () => {
    expect(jsonNestingDepth('1')).toBe(0);
    expect(jsonNestingDepth('{"a":[1,"]]]["]}')).toBe(2);
    expect(jsonNestingDepth('"\\"[["')).toBe(0);
    expect(scanJson('{"a":1,"b":[1,2,3],"c":"x,y"}')).toEqual({ depth: 2, members: 3 });
    expect(scanJson(new TextEncoder().encode('{"é":1,"ü":[2]}'))).toEqual({ depth: 2, members: 2 });
    expect(jsonNestingDepth('['.repeat(1e6), 10)).toBe(11);
  });

  it('parses within the limit and says why not beyond it', () => {
    expect(parseJsonLimited('{"a":[[1]]}', 3)).toEqual({ ok: true, value: { a: [[1]] } });
    expect(parseJsonLimited('{"a":[[1]]}', 2)).toMatchObject({ ok: false, reason: 'depth' });
    expect(parseJsonLimited('{"a":', 8)).toMatchObject({ ok: false, reason: 'syntax' });
    const deep = `${'['.repeat(300_000)}${']'.repeat(300_000)}`;
    expect(parseJsonLimited(deep)).toMatchObject({ ok: false, reason: 'depth', message: `JSON nested more than ${DEFAULT_MAX_JSON_DEPTH} levels deep` });
  });
});

describe('hostile checkpoints (issue 15)', () => {
  it('item 4: a spec whose children nest 10,000 deep is a typed error, not a stack overflow', () => {
    // Written as text: JSON.stringify itself overflows on a value this deep.
    const spec = deepSpec(10_000, JSON.stringify(toySpec), 'toy-loop');
    const bytes = craftText(checkpointMetadata(spec), realTensors);
    const error = errorOf(() => readCheckpoint(bytes));
    expect(error.code).toBe('E_SERIALIZATION');
    expect(error.message).toMatch(/nested too deeply/);
  });

  it('item 4: spec metadata holding an array nested 200,000 deep is a typed error', () => {
    const spec = JSON.stringify({ ...toySpec, metadata: { x: 0 } }).replace('{"x":0}', deepArray(200_000));
    const error = errorOf(() => deserializeModel(registry, craftText(checkpointMetadata(spec), realTensors)));
    expect(error.code).toBe('E_SERIALIZATION');
  });

  it('item 4: a header nested deeper than a safetensors header can be is a typed error', () => {
    const bytes = craftText(checkpointMetadata(JSON.stringify(toySpec)), realTensors, `,"x":${deepArray(100_000)}`);
    expect(errorOf(() => readCheckpoint(bytes))).toMatchObject({ code: 'E_SERIALIZATION', message: expect.stringMatching(/nested too deeply/) });
  });

  it('item 6: a tensor named __proto__ (valid CRC) stays a name and fails the unexpected-weight check', () => {
    const proto: Entry = { shape: [1], data: new Float32Array([1]) };
    const bytes = craftText(checkpointMetadata(JSON.stringify(toySpec)), [...realTensors, ['__proto__', proto]]);
    const contents = readCheckpoint(bytes);
    expect(Object.getPrototypeOf(contents.weights)).toBe(null);
    expect(Object.keys(contents.weights)).toContain('__proto__');
    const error = errorOf(() => deserializeModel(registry, bytes));
    expect(error.code).toBe('E_SERIALIZATION');
    expect(error.message).toMatch(/unexpected weight "__proto__"/);
  });

  it('item 6: constructor and prototype are ordinary (unexpected) tensor names too', () => {
    for (const name of ['constructor', 'prototype']) {
      const bytes = craftText(checkpointMetadata(JSON.stringify(toySpec)), [...realTensors, [name, { shape: [1], data: new Float32Array([2]) }]]);
      expect(errorOf(() => deserializeModel(registry, bytes)).message).toMatch(new RegExp(`unexpected weight "${name}"`));
    }
  });

  it('item 7: a header listing 1.5 million empty tensors is rejected in well under a second', () => {
    const empty: Entry = { shape: [0], data: new Float32Array(0) };
    const many = Array.from({ length: 1_500_000 }, (_, i) => [`t${i}`, empty] as const);
    const bytes = craftText(checkpointMetadata(JSON.stringify(toySpec)), many);
    const started = performance.now();
    const error = errorOf(() => readCheckpoint(bytes));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error.code).toBe('E_SERIALIZATION');
    expect(error.message).toMatch(/too many tensors/);
  });

  it('item 7: zero-size tensors are not overlaps, wherever their offsets point', () => {
    const header = '{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"z":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}';
    const padded = header + ' '.repeat((8 - ((8 + header.length) % 8)) % 8);
    const bytes = new Uint8Array(8 + padded.length + 12);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(padded.length), true);
    bytes.set(new TextEncoder().encode(padded), 8);
    const decoded = decodeSafetensors(bytes);
    expect(Object.keys(decoded.tensors).sort()).toEqual(['a', 'z']);
    expect(decoded.tensors.z?.data.length).toBe(0);
  });
});

describe('temporary files of killed saves (issue 15, item 8)', () => {
  it('the next save removes stale .<name>.<hex>.tmp files of the same target, and only those', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'unfold-stale-'));
    const target = join(dir, 'model.unfold');
    const hour = new Date(Date.now() - 3600_000);
    // What a save killed between its write and its rename leaves, an hour ago and just now (a save in progress).
    for (const name of ['.model.unfold.0123456789ab.tmp', '.model.unfold.ba9876543210.tmp', '.other.unfold.0123456789ab.tmp', 'notes.tmp']) {
      await writeFile(join(dir, name), new Uint8Array(1024));
      await utimes(join(dir, name), hour, hour);
    }
    await writeFile(join(dir, '.model.unfold.fedcba987654.tmp'), new Uint8Array(8));
    await saveModel(registry, target, { spec: toySpec, weights });
    expect((await readdir(dir)).sort()).toEqual(['.model.unfold.fedcba987654.tmp', '.other.unfold.0123456789ab.tmp', 'model.unfold', 'notes.tmp']);
    expect((await loadModel(registry, target)).spec).toEqual(toySpec);
  });
});
