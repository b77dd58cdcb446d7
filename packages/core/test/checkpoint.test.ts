import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  crc32,
  createRegistry,
  deserializeModel,
  encodeSafetensors,
  initWeights,
  readCheckpoint,
  resolveModel,
  serializeModel,
  type ModelSpec,
  type WeightMap,
} from '../src/index';
import { loadModel, saveModel } from '../src/node';
import { errorOf } from './error-of';
import { toyCell, toyHead, toyLayer, toySpec } from './toy-plugins';

const registry = createRegistry([toyCell, toyLayer, toyHead]);
const weights = initWeights(resolveModel(registry, toySpec), 7);
const bytes = serializeModel(registry, { spec: toySpec, weights });

/** Builds a checkpoint by following the format as documented in checkpoint.ts, independently of serializeModel. */
function craft(spec: ModelSpec, tensors: WeightMap, schemaVersions: Record<string, number> = {}): Uint8Array {
  const plugins: Record<string, unknown> = {};
  for (const kind of ['toy-loop', 'toy-cell']) plugins[kind] = { package: 'x', version: '0', schemaVersion: schemaVersions[kind] ?? registry.lookup(kind).schemaVersion };
  const out = encodeSafetensors({
    metadata: { crc32: '00000000', format: 'unfold.checkpoint', format_version: '1', producer: 'test', spec: JSON.stringify(spec), plugins: JSON.stringify(plugins) },
    tensors,
  });
  const digits = crc32(out).toString(16).padStart(8, '0');
  out.set(new TextEncoder().encode(digits), 34);
  return out;
}

describe('checkpoint bytes', () => {
  it('round-trips bit-exactly: spec, metadata and every weight byte', () => {
    const loaded = deserializeModel(registry, bytes);
    expect(loaded.spec).toEqual(toySpec);
    expect(loaded.spec.metadata).toEqual({ vocabulary: ['x', 'y'], mean: 0.5 });
    expect(Object.keys(loaded.weights).sort()).toEqual(Object.keys(weights).sort());
    for (const [name, tensor] of Object.entries(weights)) {
      expect(loaded.weights[name]!.shape).toEqual(tensor.shape);
      expect(Buffer.from(loaded.weights[name]!.data.buffer)).toEqual(Buffer.from(tensor.data.buffer));
    }
    expect(serializeModel(registry, loaded)).toEqual(bytes);
  });

  it('is a valid safetensors layout with the documented crc32', () => {
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    expect(Object.keys(header.__metadata__)[0]).toBe('crc32');
    expect(header['cell.W']).toEqual({ dtype: 'F32', shape: [4, 3], data_offsets: expect.any(Array) });
    const zeroed = bytes.slice();
    zeroed.set(new TextEncoder().encode('00000000'), 34);
    expect(new TextDecoder().decode(bytes.subarray(34, 42))).toBe(crc32(zeroed).toString(16).padStart(8, '0'));
  });

  it('detects every single flipped byte, anywhere in the file', () => {
    const positions = { header: [0, 3, 7], crc: [34, 41], metadata: [60, 200], tensorData: [bytes.length - 100, bytes.length - 1] };
    for (const [region, list] of Object.entries(positions)) {
      for (const position of list) {
        const copy = bytes.slice();
        copy[position]! ^= 0x01;
        const { code } = errorOf(() => deserializeModel(registry, copy));
        expect(code, `${region} byte ${position}`).toBe('E_SERIALIZATION');
      }
    }
    // And exhaustively: every byte, two different flips each.
    for (let position = 0; position < bytes.length; position++) {
      for (const mask of [0x01, 0x80]) {
        const copy = bytes.slice();
        copy[position]! ^= mask;
        expect(() => deserializeModel(registry, copy), `byte ${position} ^ ${mask}`).toThrow();
        expect(errorOf(() => deserializeModel(registry, copy)).code).toBe('E_SERIALIZATION');
      }
    }
    expect(errorOf(() => {
      const copy = bytes.slice();
      copy[bytes.length - 1]! ^= 0x01;
      deserializeModel(registry, copy);
    }).message).toContain('checksum mismatch');
  });

  it('rejects every truncation with a typed error', () => {
    for (let length = 0; length < bytes.length; length++) {
      expect(errorOf(() => deserializeModel(registry, bytes.subarray(0, length))).code, `length ${length}`).toBe('E_SERIALIZATION');
    }
    expect(errorOf(() => deserializeModel(registry, bytes.subarray(0, bytes.length - 4))).message).toMatch(/truncated|does not fill/);
  });

  it('rejects foreign files', () => {
    const foreignSafetensors = encodeSafetensors({ metadata: { format: 'pt' }, tensors: { w: { shape: [1], data: new Float32Array([1]) } } });
    const onnxLike = new Uint8Array([0x08, 0x08, 0x12, 0x07, 0x70, 0x79, 0x74, 0x6f, 0x72, 0x63, 0x68, 0x1a, 0x03]);
    for (const foreign of [foreignSafetensors, onnxLike, new TextEncoder().encode('{"kind":"lstm"}'), new Uint8Array(0), new Uint8Array(64).fill(0xff)]) {
      const { code, message } = errorOf(() => readCheckpoint(foreign));
      expect(code).toBe('E_SERIALIZATION');
      expect(message).toMatch(/not an unfold checkpoint|truncated|out of range/);
    }
  });

  it('rejects a checkpoint with a missing, extra or misshapen weight', () => {
    const { ['cell.R']: _omit, ...missing } = weights;
    expect(errorOf(() => deserializeModel(registry, craft(toySpec, missing)))).toMatchObject({ code: 'E_SERIALIZATION', message: expect.stringContaining('missing weight "cell.R"') });
    const extra = { ...weights, 'cell.X': { shape: [1], data: new Float32Array(1) } };
    expect(errorOf(() => deserializeModel(registry, craft(toySpec, extra))).message).toContain('unexpected weight "cell.X"');
    const misshapen = { ...weights, 'cell.W': { shape: [3, 4], data: new Float32Array(12) } };
    expect(errorOf(() => deserializeModel(registry, craft(toySpec, misshapen)))).toMatchObject({ code: 'E_SHAPE' });
    expect(() => serializeModel(registry, { spec: toySpec, weights: missing })).toThrowError(/missing weight/);
  });

  it('migrates configs written with an older plugin schemaVersion', () => {
    const old = { ...toySpec, config: { name: 'b' } } as unknown as ModelSpec;
    const loaded = deserializeModel(registry, craft(old, weights, { 'toy-loop': 1 }));
    expect(loaded.spec.config).toEqual({ label: 'b' });
    expect(loaded.root.config).toEqual({ label: 'b' });
    expect(errorOf(() => deserializeModel(registry, craft(toySpec, weights, { 'toy-loop': 3 }))).message).toContain('from a newer plugin');
  });
});

describe('checkpoint files', () => {
  it('saves atomically and loads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'unfold-ckpt-'));
    const path = join(dir, 'model.unfold');
    await saveModel(registry, path, { spec: toySpec, weights });
    const loaded = await loadModel(registry, path);
    expect(loaded.spec).toEqual(toySpec);
    expect(await readdir(dir)).toEqual(['model.unfold']);
  });

  it('a failure mid-save leaves the old file intact and no temporary file behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'unfold-ckpt-'));
    const path = join(dir, 'model.unfold');
    await saveModel(registry, path, { spec: toySpec, weights });
    const before = await readFile(path);
    const other = initWeights(resolveModel(registry, toySpec), 8);
    const failingWrite = async (temp: string, data: Uint8Array): Promise<void> => {
      await writeFile(temp, data.subarray(0, data.length >> 1));
      throw new Error('ENOSPC: no space left on device (simulated)');
    };
    await expect(saveModel(registry, path, { spec: toySpec, weights: other }, { writeTemp: failingWrite })).rejects.toMatchObject({
      code: 'E_SERIALIZATION',
      message: expect.stringContaining('previous file, if any, is unchanged'),
    });
    expect(await readFile(path)).toEqual(before);
    expect(await readdir(dir)).toEqual(['model.unfold']);
  });

  it('reports a missing file with a typed error', async () => {
    await expect(loadModel(registry, join(tmpdir(), 'does-not-exist.unfold'))).rejects.toMatchObject({ code: 'E_SERIALIZATION' });
  });
});
