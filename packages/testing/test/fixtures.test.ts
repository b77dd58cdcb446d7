import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shapeSize, type HostTensor } from '@unfold/core';
import { afterAll, describe, expect, it } from 'vitest';
import { expectClose, listFixtures, loadFixture, unfoldErrorOf, type FixtureValue } from '../src/index';
import { elmanForward64 } from './elman-cell';

// The golden fixtures committed by the cells package (tools/fixtures generates them).
const fixtures = fileURLToPath(new URL('../../cells/test/fixtures/', import.meta.url));
// Hand-written bad files go to a scratch folder removed after the tests.
const scratch = mkdtempSync(join(tmpdir(), 'unfold-fixtures-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function isHostTensor(value: unknown): value is HostTensor {
  return typeof value === 'object' && value !== null && (value as HostTensor).data instanceof Float32Array;
}

function tensorsIn(value: FixtureValue, into: HostTensor[] = []): HostTensor[] {
  if (isHostTensor(value)) into.push(value);
  else if (Array.isArray(value)) value.forEach((item) => tensorsIn(item, into));
  else if (typeof value === 'object' && value !== null) Object.values(value).forEach((item) => tensorsIn(item as FixtureValue, into));
  return into;
}


interface RnnFixture {
  attributes: { hidden_size: number; activations: string[] };
  inputs: { X: HostTensor; W: HostTensor; R: HostTensor; B: HostTensor };
  outputs: { Y_h: HostTensor };
}

describe('loadFixture', () => {
  it('turns {shape, data} objects into float32 HostTensors and leaves everything else as parsed', () => {
    const file = loadFixture(join(fixtures, 'torch/gru_basic.json'));
    const x = file.x as HostTensor;
    expect(x.shape).toEqual([4, 2, 3]);
    expect(x.data).toBeInstanceOf(Float32Array);
    expect(x.data).toHaveLength(24);
    const weights = file.weights as readonly Record<string, FixtureValue>[];
    expect((weights[0]?.W as HostTensor).shape).toEqual([12, 3]);
    expect(weights[0]?.layer).toBe(0);
    expect(file.config).toMatchObject({ mode: 'GRU', hiddenSize: 4, activations: ['Sigmoid', 'Tanh'] });
    // A plain list of numbers is not a tensor.
    expect((file.torchStateDict as Record<string, unknown>).weight_ih_l0).toEqual([12, 3]);
  });

  it("loads ONNX's RNN conformance vector, which the float64 Elman recurrence reproduces", () => {
    const { attributes, inputs, outputs } = loadFixture<RnnFixture>(join(fixtures, 'onnx/test_rnn_seq_length.json'));
    expect(attributes.activations).toEqual(['Tanh']);
    const [T, B, I] = inputs.X.shape as [number, number, number];
    const H = attributes.hidden_size;
    const bias = Array.from({ length: H }, (_, j) => (inputs.B.data[j] as number) + (inputs.B.data[H + j] as number)); // Wb + Rb
    const { h } = elmanForward64(inputs.W.data, inputs.R.data, bias, inputs.X.data, new Float64Array(B * H), { T, B, I, H });
    expect(outputs.Y_h.shape).toEqual([1, B, H]);
    expectClose(h, outputs.Y_h.data, { atol: 1e-6, rtol: 1e-6, label: 'test_rnn_seq_length Y_h' });
  });

  it('loads every committed fixture with consistent tensors', () => {
    const files = [...listFixtures(join(fixtures, 'torch')), ...listFixtures(join(fixtures, 'onnx'))];
    expect(files.length).toBeGreaterThanOrEqual(20);
    for (const path of files) {
      const tensors = tensorsIn(loadFixture(path));
      expect(tensors.length, path).toBeGreaterThan(0);
      for (const tensor of tensors) expect(tensor.data.length).toBe(shapeSize(tensor.shape));
    }
  });

  it('reports a missing file, invalid JSON and malformed tensors with the file and JSON path', () => {
    const dir = scratch;
    const write = (name: string, text: string): string => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    expect(unfoldErrorOf(() => loadFixture(join(dir, 'absent.json')))).toMatchObject({ code: 'E_SERIALIZATION', message: expect.stringMatching(/absent\.json: cannot read fixture/) });
    expect(unfoldErrorOf(() => loadFixture(write('nan.json', '{"x": NaN}'))).message).toMatch(/nan\.json: fixture is not valid JSON/);
    const short = unfoldErrorOf(() => loadFixture(write('short.json', '{"inputs": {"X": {"shape": [2, 2], "data": [1, 2, 3]}}}')));
    expect(short).toMatchObject({ code: 'E_SERIALIZATION' });
    expect(short.message).toMatch(/short\.json at \$\.inputs\.X: fixture tensor does not match its shape; expected 4 values for shape \[2, 2\]; got 3 values/);
    expect(unfoldErrorOf(() => loadFixture(write('nested.json', '{"a": [{"shape": [2, 1], "data": [[1], [2]]}]}'))).message).toMatch(/at \$\.a\[0\]\.data\[0\]: fixture tensor data holds a non-number/);
    expect(unfoldErrorOf(() => loadFixture(write('shape.json', '{"t": {"shape": "2x2", "data": [1, 2, 3, 4]}}'))).message).toMatch(/at \$\.t: fixture tensor has an invalid shape/);
    expect(unfoldErrorOf(() => loadFixture(write('negative.json', '{"t": {"shape": [-1], "data": []}}'))).message).toMatch(/at \$\.t: fixture tensor does not match its shape; expected non-negative integer dimensions/);
  });

  it('converts only objects with exactly the keys shape and data', () => {
    const dir = scratch;
    writeFileSync(join(dir, 'forms.json'), JSON.stringify({ scalar: { shape: [], data: [2.5] }, tagged: { shape: [1], data: [1], dtype: 'int64' }, list: [{ shape: [0], data: [] }] }));
    const file = loadFixture(join(dir, 'forms.json'));
    expect(file.scalar).toEqual({ shape: [], data: new Float32Array([2.5]) });
    expect(isHostTensor(file.tagged)).toBe(false);
    expect((file.list as FixtureValue[])[0]).toEqual({ shape: [0], data: new Float32Array(0) });
  });
});

describe('listFixtures', () => {
  it('lists *.json files as sorted absolute paths, optionally filtered by name', () => {
    const all = listFixtures(join(fixtures, 'onnx'));
    expect(all).toEqual([...all].sort());
    expect(all.every((path) => path.startsWith('/') && path.endsWith('.json'))).toBe(true);
    expect(all).toContain(join(fixtures, 'onnx/test_rnn_seq_length.json'));
    const lstm = listFixtures(join(fixtures, 'onnx'), /^test_lstm_/g);
    expect(lstm.length).toBeGreaterThanOrEqual(3);
    expect(lstm.every((path) => /\/test_lstm_[^/]+\.json$/.test(path))).toBe(true);
  });

  it('skips other files and reports a missing folder', () => {
    const dir = join(scratch, 'listing');
    mkdirSync(dir);
    writeFileSync(join(dir, 'b.json'), '{}');
    writeFileSync(join(dir, 'a.json'), '{}');
    writeFileSync(join(dir, 'notes.txt'), '');
    expect(listFixtures(dir)).toEqual([join(dir, 'a.json'), join(dir, 'b.json')]);
    expect(unfoldErrorOf(() => listFixtures(join(dir, 'nope')))).toMatchObject({ code: 'E_SERIALIZATION', message: expect.stringMatching(/cannot list fixtures/) });
  });
});
