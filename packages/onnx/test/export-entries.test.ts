import { resolveModel, Rng, setupBackend } from '@unfold/core';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportEntries, mainEntry, readOnnxModel, readUnfoldMetadata, type EntryInterface, type ExportedEntries, type ExportEntry } from '../src/index';
import { exportEntriesFolder } from '../src/node';
import { writeForChecker } from './checker-dir';
import { TOY_SPEC, toyEntries, toyRegistry, toyWeights, unfoldEncoder, unfoldStep } from './entries-toy';
import { openSession, type HostValue } from './ort';

const registry = toyRegistry();
const weights = toyWeights(registry);
const root = resolveModel(registry, TOY_SPEC);
const rng = new Rng(5);
const floats = (shape: number[]): HostValue & { data: Float32Array } => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniformIn(-1, 1)) });
const close = (got: HostValue, want: { shape: readonly number[]; data: Float32Array }): void => {
  expect(got.shape).toEqual(want.shape);
  want.data.forEach((w, i) => expect(Math.abs((got.data[i] as number) - w)).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(w)));
};
const folder = mkdtempSync(join(tmpdir(), 'unfold-entries-'));

let exported: ExportedEntries;
beforeAll(async () => {
  await setupBackend();
  exported = exportEntries(registry, { spec: TOY_SPEC, weights }, toyEntries);
  for (const entry of exported.entries) await writeForChecker(`entries.encoder-step.${entry.name}`, entry.bytes);
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('a model of two entries', () => {
  it('gives one file per entry, each with the shared manifest and its own interface', () => {
    expect(exported.manifest).toEqual({ version: 2, entries: [{ name: 'encoder', file: 'encoder.onnx', tasks: ['encode'] }, { name: 'step', file: 'step.onnx', tasks: ['step'] }], tasks: [] });
    const [encoder, step] = exported.entries.map((e) => readUnfoldMetadata(readOnnxModel(e.bytes), e.file));
    expect([encoder?.format, encoder?.entries, step?.entries]).toEqual([2, exported.manifest, exported.manifest]);
    expect(encoder?.spec).toEqual(TOY_SPEC);
    expect(encoder?.interface).toMatchObject({
      version: 2,
      entry: 'encoder',
      tasks: ['encode'],
      ports: { inputs: [{ name: 'input', kind: 'features', size: 3, tensor: 'input', lengths: 'sequence_lens' }], outputs: [{ name: 'summary', kind: 'vector', size: 4, tensor: 'summary' }] },
      semantics: { readout: 'last', emits: 'features' },
      states: [],
    });
    const described = step?.interface as EntryInterface;
    expect(described.ports).toEqual({ inputs: [{ name: 'input', kind: 'vector', size: 3, tensor: 'input' }], outputs: [{ name: 'output', kind: 'vector', size: 2, tensor: 'output' }] });
    expect(described.states).toEqual([{ path: 'body.h', shape: [4], size: 4, input: 'state_in.body.h', output: 'state_out.body.h' }]);
    expect(readOnnxModel(exported.entries[1]?.bytes as Uint8Array).inputs).toEqual([
      { name: 'input', dtype: 'float32', shape: ['batch', 3] },
      { name: 'state_in.body.h', dtype: 'float32', shape: ['batch_or_1', 4] },
    ]);
    expect(readOnnxModel(exported.entries[0]?.bytes as Uint8Array).outputs).toEqual([{ name: 'summary', dtype: 'float32', shape: ['batch', 4] }]);
  });

  it.each([
    [1, 1, [1]],
    [3, 5, [5, 2, 0]],
    [3, 0, [0, 0, 0]],
  ])('encoder matches unfold (batch %i, time %i)', async (batch, time, lengths) => {
    const session = await openSession(exported.entries[0]?.bytes as Uint8Array);
    const x = floats([batch, time, 3]);
    const given = Int32Array.from(lengths);
    const got = await session.run({ input: x, sequence_lens: { shape: [batch], data: given } });
    close(got.summary as HostValue, unfoldEncoder(root, weights, x, given));
    await session.release();
  });

  it.each([1, 3])('step matches unfold (batch %i), a [1, H] state row applying to every sequence', async (batch) => {
    const session = await openSession(exported.entries[1]?.bytes as Uint8Array);
    const x = floats([batch, 3]);
    const h = floats([batch, 4]);
    const want = unfoldStep(root, weights, x, h);
    const got = await session.run({ input: x, 'state_in.body.h': h });
    close(got.output as HostValue, want.output);
    close(got['state_out.body.h'] as HostValue, want.state);
    const row = { shape: [1, 4], data: h.data.slice(0, 4) };
    const broadcast = await session.run({ input: x, 'state_in.body.h': row });
    close(broadcast['state_out.body.h'] as HostValue, unfoldStep(root, weights, x, { shape: [batch, 4], data: Float32Array.from({ length: batch * 4 }, (_, i) => row.data[i % 4] as number) }).state);
    await session.release();
  });

  it('a single entry is one standalone file without a manifest', () => {
    const single = exportEntries(registry, { spec: TOY_SPEC, weights }, (r) => [mainEntry(r)]);
    expect(single.manifest).toBeNull();
    const unfold = readUnfoldMetadata(readOnnxModel(single.entries[0]?.bytes as Uint8Array));
    expect([unfold.entries, (unfold.interface as EntryInterface).entry, (unfold.interface as EntryInterface).tasks]).toEqual([null, 'main', ['predict', 'stream']]);
  });

  it('lists tasks that span entries in the manifest, and checks the declarations', () => {
    const spanning = exportEntries(registry, { spec: TOY_SPEC, weights }, toyEntries, { tasks: [{ name: 'encode-then-step', entries: ['encoder', 'step'] }] });
    expect(spanning.manifest?.tasks).toEqual([{ name: 'encode-then-step', entries: ['encoder', 'step'] }]);
    expect(() => exportEntries(registry, { spec: TOY_SPEC, weights }, toyEntries, { tasks: [{ name: 'x', entries: ['decoder'] }] })).toThrow(/task "x" names unknown entries/);
    expect(() => exportEntries(registry, { spec: TOY_SPEC, weights }, (r) => [...toyEntries(r), ...toyEntries(r)])).toThrow(/two entries have the same name/);
    expect(() => exportEntries(registry, { spec: TOY_SPEC, weights }, (r) => [{ ...(toyEntries(r)[0] as ExportEntry), name: 'Encoder' }])).toThrow(/invalid entry name/);
    expect(() => exportEntries(registry, { spec: TOY_SPEC, weights }, (r) => [{ ...(toyEntries(r)[1] as ExportEntry), build: () => ({ outputs: {}, finalState: [] }) }])).toThrow(/entry "step": the entry's build returned no value for output port "output"/);
  });
});

describe('exportEntriesFolder', () => {
  it('writes one folder holding <entry>.onnx per entry, and replaces an earlier one whole', async () => {
    const path = join(folder, 'toy');
    await exportEntriesFolder(registry, path, { spec: TOY_SPEC, weights }, toyEntries);
    expect(readdirSync(path).sort()).toEqual(['encoder.onnx', 'step.onnx']);
    writeFileSync(join(path, 'stale.onnx'), 'old');
    await exportEntriesFolder(registry, path, { spec: TOY_SPEC, weights }, toyEntries);
    expect(readdirSync(path).sort()).toEqual(['encoder.onnx', 'step.onnx']);
    expect(new Uint8Array(readFileSync(join(path, 'step.onnx')))).toEqual(exported.entries[1]?.bytes);
    expect(readdirSync(folder)).toEqual(['toy']);
  });

  it('leaves the previous folder as it was when a write fails midway', async () => {
    const path = join(folder, 'kept');
    await exportEntriesFolder(registry, path, { spec: TOY_SPEC, weights }, toyEntries);
    const before = readFileSync(join(path, 'encoder.onnx'));
    let writes = 0;
    const failing = async (file: string, bytes: Uint8Array): Promise<void> => {
      if (++writes === 2) throw new Error('disk full');
      writeFileSync(file, bytes);
    };
    await expect(exportEntriesFolder(registry, path, { spec: TOY_SPEC, weights }, toyEntries, { writeTemp: failing })).rejects.toThrow(/could not write the model folder.*disk full/);
    expect(readFileSync(join(path, 'encoder.onnx'))).toEqual(before);
    expect(readdirSync(folder).sort()).toEqual(['kept', 'toy']);
  });
});
