import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  crc32,
  createRegistry,
  deserializeModel,
  deserializeTrainingCheckpoint,
  encodeSafetensors,
  hostTensor,
  initWeights,
  readCheckpoint,
  resolveModel,
  serializeModel,
  serializeTrainingCheckpoint,
  type HostTensor,
  type TrainingState,
  type WeightMap,
} from '../src/index';
import { loadModel, loadTrainingCheckpoint, saveTrainingCheckpoint } from '../src/node';
import { errorOf } from './error-of';
import { toyCell, toyHead, toyLayer, toySpec } from './toy-plugins';

const registry = createRegistry([toyCell, toyLayer, toyHead]);
const weights = initWeights(resolveModel(registry, toySpec), 7);
const like = (tensor: HostTensor, offset: number) => hostTensor(tensor.shape, tensor.data.map((v, i) => v * 0.5 + offset + i * 1e-3));
const W = weights['cell.W'] as HostTensor;

const state: TrainingState = {
  weights,
  optimizer: { kind: 'adam', steps: 12, slots: { 'm/cell.W': like(W, 0.1), 'v/cell.W': like(W, 0.2) } },
  position: { epoch: 2, batch: 3 },
  epochProgress: { lossSum: 1.2345678901234567, examples: 15 },
  seed: 7,
  history: [{ epoch: 1, loss: 0.5, validationLoss: 0.625 }],
  stepLosses: [0.9, 0.7, 0.1 + 0.2, 1e-30, 123456.789],
  callbacks: { 'early-stopping': { json: { best: 0.625, sinceBest: 0 }, tensors: { 'cell.W': like(W, 0.3) } }, divergence: { json: { average: 0.4, lowest: null, steps: 12 } } },
  data: { examples: 40, batchSize: 8 },
};
const bytes = serializeTrainingCheckpoint(registry, { spec: toySpec }, state);

/** A version-2 file built by following docs/checkpoint-format.md, independently of the writer. */
function craft(training: string | undefined, tensors: WeightMap, version = '2'): Uint8Array {
  const plugins = Object.fromEntries(['toy-loop', 'toy-cell'].map((kind) => [kind, { package: 'x', version: '0', schemaVersion: registry.lookup(kind).schemaVersion }]));
  const out = encodeSafetensors({
    metadata: { crc32: '00000000', format: 'unfold.checkpoint', format_version: version, producer: 'test', spec: JSON.stringify(toySpec), plugins: JSON.stringify(plugins), ...(training !== undefined ? { training } : {}) },
    tensors: { ...weights, ...tensors },
  });
  out.set(new TextEncoder().encode(crc32(out).toString(16).padStart(8, '0')), 34);
  return out;
}

const trainingJson = (changes: Record<string, unknown> = {}) => {
  const { weights: _w, optimizer, callbacks: _c, ...rest } = state;
  return JSON.stringify({ format: 'unfold.training-state', version: 1, ...rest, optimizer: { kind: optimizer.kind, steps: optimizer.steps }, callbacks: { 'early-stopping': { json: { best: 0.625, sinceBest: 0 } }, divergence: { json: {} } }, ...changes });
};
const reserved = { '__optimizer__/m/cell.W': like(W, 0.1), '__training__/early-stopping/cell.W': like(W, 0.3) };

describe('training checkpoints', () => {
  it('round-trip the training state bit-exactly: weights, optimizer slots, JSON state, callback tensors', () => {
    const loaded = deserializeTrainingCheckpoint(registry, bytes);
    expect(loaded.spec).toEqual(toySpec);
    expect(loaded.state).toEqual(state);
    for (const [name, tensor] of Object.entries(state.optimizer.slots)) expect(Buffer.from(loaded.state.optimizer.slots[name]!.data.buffer)).toEqual(Buffer.from(tensor.data.buffer));
    expect(serializeTrainingCheckpoint(registry, loaded, loaded.state)).toEqual(bytes);
  });

  it('are version-2 files with the training part under reserved names; plain checkpoints stay version 1', () => {
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true)))));
    expect(header.__metadata__.format_version).toBe('2');
    expect(JSON.parse(header.__metadata__.training)).toMatchObject({ format: 'unfold.training-state', version: 1, position: { epoch: 2, batch: 3 } });
    expect(Object.keys(header).filter((k) => k.startsWith('__') && k !== '__metadata__').sort()).toEqual(['__optimizer__/m/cell.W', '__optimizer__/v/cell.W', '__training__/early-stopping/cell.W']);
    const plain = serializeModel(registry, { spec: toySpec, weights });
    expect(readCheckpoint(plain).training).toBeUndefined();
    expect(new TextDecoder().decode(plain).includes('"format_version":"1"')).toBe(true);
  });

  it('load as the model alone through deserializeModel, which still rejects unexpected weights', () => {
    const model = deserializeModel(registry, bytes);
    expect(Object.keys(model.weights).sort()).toEqual(Object.keys(weights).sort());
    expect(model.weights).toEqual(weights);
    const extra = craft(trainingJson(), { ...reserved, 'cell.X': hostTensor([1], [1]) });
    expect(errorOf(() => deserializeModel(registry, extra)).message).toContain('unexpected weight "cell.X"');
    expect(errorOf(() => deserializeTrainingCheckpoint(registry, extra)).message).toContain('unexpected weight "cell.X"');
  });

  it('a model-only checkpoint has no training state (typed error)', () => {
    expect(errorOf(() => deserializeTrainingCheckpoint(registry, serializeModel(registry, { spec: toySpec, weights })))).toMatchObject({ code: 'E_SERIALIZATION', message: expect.stringContaining('no training state') });
  });

  it('detects every single flipped byte of a training checkpoint', () => {
    for (let position = 0; position < bytes.length; position++) {
      const copy = bytes.slice();
      copy[position]! ^= 0x04;
      expect(errorOf(() => deserializeTrainingCheckpoint(registry, copy)).code, `byte ${position}`).toBe('E_SERIALIZATION');
    }
  });

  it('rejects a foreign or malformed training part (valid checksum) with E_SERIALIZATION', () => {
    expect(deserializeTrainingCheckpoint(registry, craft(trainingJson(), reserved)).state.optimizer.slots['m/cell.W']).toEqual(reserved['__optimizer__/m/cell.W']);
    const cases: [string, Uint8Array, RegExp][] = [
      ['not JSON', craft('{nope', reserved), /JSON/],
      ['another format', craft(trainingJson({ format: 'torch.optim' }), reserved), /format unfold.training-state/],
      ['a newer version', craft(trainingJson({ version: 9 }), reserved), /version 1/],
      ['a bad position', craft(trainingJson({ position: { epoch: 0, batch: 1 } }), reserved), /position/],
      ['non-numeric losses', craft(trainingJson({ stepLosses: [1, 'x'] }), reserved), /stepLosses/],
      ['a slot of no weight', craft(trainingJson(), { ...reserved, '__optimizer__/m/cell.Q': like(W, 0) }), /optimizer slots named/],
      ['a misshapen slot', craft(trainingJson(), { ...reserved, '__optimizer__/v/cell.W': hostTensor([2], [1, 2]) }), /the shape of cell.W/],
      ['a tensor of no callback', craft(trainingJson(), { ...reserved, '__training__/other/x': hostTensor([1], [1]) }), /callback tensors named/],
      ['reserved tensors in a version-1 file', craft(undefined, reserved, '1'), /training tensors without a training state/],
    ];
    for (const [name, file, message] of cases) {
      const error = errorOf(() => deserializeTrainingCheckpoint(registry, file));
      expect(error.code, name).toBe('E_SERIALIZATION');
      expect(error.message, name).toMatch(message);
    }
    expect(errorOf(() => deserializeModel(registry, craft(undefined, reserved, '1'))).code).toBe('E_SERIALIZATION');
  });

  it('save atomically and load from files (@unfold/core/node)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'unfold-training-'));
    const path = join(dir, 'run.unfold');
    await saveTrainingCheckpoint(registry, path, { spec: toySpec }, state);
    expect((await loadTrainingCheckpoint(registry, path)).state).toEqual(state);
    expect((await loadModel(registry, path)).weights).toEqual(weights);
    expect(await readdir(dir)).toEqual(['run.unfold']);
    await expect(loadTrainingCheckpoint(registry, join(dir, 'missing.unfold'))).rejects.toMatchObject({ code: 'E_SERIALIZATION' });
  });
});
