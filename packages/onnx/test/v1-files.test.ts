import { toBinary } from '@bufbuild/protobuf';
import * as tf from '@tensorflow/tfjs-core';
import { heads, layers, runSequence } from '@unfold/architectures';
import { cells } from '@unfold/cells/all';
import { bindNode, createRegistry, resolveModel, setupBackend, type WeightMap } from '@unfold/core';
import { GraphProtoSchema } from 'onnx-buf';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportModel, readOnnxModel, readUnfoldMetadata, readUnfoldModel } from '../src/index';
import { decodeModel } from '../src/model-proto';
import { writeForChecker } from './checker-dir';
import { openSession, type HostValue } from './ort';

/**
 * Files written by v1 (format `unfold-onnx/1`, committed in packages/runtime/test/fixtures/v1 by
 * tools/fixtures/record-v1-baseline.mjs) still read: their metadata, their spec, and — where the file holds
 * a copy of every weight — the model itself, which runs in unfold as the file runs in onnxruntime, and
 * which today's exporter turns into the very same graph (only the metadata moved to v2).
 */
const folder = join(import.meta.dirname, '../../runtime/test/fixtures/v1');
const registry = createRegistry([...cells, ...layers, ...heads]);
const bytesOf = (name: string): Uint8Array => new Uint8Array(readFileSync(join(folder, `${name}.onnx`)));
const graphBytes = (bytes: Uint8Array): Uint8Array => toBinary(GraphProtoSchema, decodeModel(bytes).graph as never);

function unfoldForward(name: string, weights: WeightMap, x: HostValue, lengths: Int32Array): HostValue {
  const root = resolveModel(registry, readUnfoldModel(registry, bytesOf(name)).spec);
  const tensors = Object.fromEntries(Object.entries(weights).map(([n, w]) => [n, tf.tensor(w.data, [...w.shape])]));
  try {
    return tf.tidy(() => {
      const input = x.data instanceof Int32Array ? tf.tensor(x.data, [...x.shape], 'int32') : tf.tensor(x.data, [...x.shape]);
      const out = runSequence(bindNode(root, tensors), { x: input as tf.Tensor3D, lengths }).outputs;
      return { shape: out.shape, data: out.dataSync() as Float32Array };
    });
  } finally {
    Object.values(tensors).forEach((t) => t.dispose());
  }
}

describe('v1 exports (unfold-onnx/1)', () => {
  beforeAll(() => setupBackend());

  it.each(['forecaster', 'tagger', 'charlm', 'echo'])('%s: reads the metadata of a v1 file', (name) => {
    const unfold = readUnfoldMetadata(readOnnxModel(bytesOf(name)), `${name}.onnx`);
    expect([unfold.format, unfold.interface.version, unfold.entries]).toEqual([1, 1, null]);
    expect(resolveModel(registry, unfold.spec).plugin.kind).toBe('sequence-model');
  });

  const inputs: Record<string, { x: HostValue; lengths: Int32Array }> = {
    forecaster: { x: { shape: [3, 5, 1], data: Float32Array.from({ length: 15 }, (_, i) => Math.sin(i) * 0.8) }, lengths: Int32Array.from([5, 2, 0]) },
    charlm: { x: { shape: [2, 4], data: Int32Array.from([1, 5, 0, 3, 2, 2, 4, 0]) }, lengths: Int32Array.from([4, 2]) },
  };

  it.each(Object.keys(inputs))('%s: imports (spec and weights), runs in unfold as the file runs in onnxruntime, and re-exports to the same graph', async (name) => {
    const bytes = bytesOf(name);
    const model = readUnfoldModel(registry, bytes, `${name}.onnx`);
    const { x, lengths } = inputs[name] as { x: HostValue; lengths: Int32Array };
    const session = await openSession(bytes);
    const states = Object.fromEntries(model.unfold.interface.states.map((s) => [s.input as string, { shape: [1, s.size], data: new Float32Array(s.size) }]));
    const expected = (await session.run({ input: x, sequence_lens: { shape: [lengths.length], data: lengths }, ...states })).output as HostValue;
    await session.release();
    const got = unfoldForward(name, model.weights, x, lengths);
    expect(got.shape).toEqual(expected.shape);
    got.data.forEach((v, i) => expect(Math.abs(v - (expected.data[i] as number))).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(expected.data[i] as number)));
    const again = exportModel(registry, { spec: model.spec, weights: model.weights });
    await writeForChecker(`v1-reexport.${name}`, again);
    expect(Buffer.from(graphBytes(again)).equals(Buffer.from(graphBytes(bytes)))).toBe(true);
    expect(readUnfoldMetadata(readOnnxModel(again)).format).toBe(2);
  });

  it.each(['tagger', 'echo'])('%s: a file without a copy of every weight says which (leaky and ESN export derived weights)', (name) => {
    expect(() => readUnfoldModel(registry, bytesOf(name), `${name}.onnx`)).toThrow(/holds no copy of \d+ weights.*use the model’s checkpoint/);
  });
});
