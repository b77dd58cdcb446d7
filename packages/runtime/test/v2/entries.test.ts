import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, isRuntimeError, type UnfoldModel } from '../../src/index';
import { codeOf } from '../kit';
import { worstExcess } from '../models';
import { withMetadata } from './onnx-writer';
import { encoderReference, MANIFEST, shapedReference, shapedStateModel, twoEntryFiles } from './toy-models';

/** A two-entry model (encoder: features → vector; step: input + state → output + state) and bad manifests. */
const runtime = createRuntime(ort);
let toy: UnfoldModel;

beforeAll(async () => {
  toy = await runtime.loadEntries('toy', twoEntryFiles());
});

afterAll(() => toy.release());

const inputs = [
  [
    [1, 2],
    [3, -1],
  ],
  [[0.5, 0.25]],
];

async function modelError(promise: Promise<unknown>): Promise<{ code: string; summary: string }> {
  try {
    await promise;
  } catch (error) {
    if (isRuntimeError(error)) return { code: error.code, summary: error.summary };
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('a two-entry model', () => {
  it('loads both entries and describes their ports, states, tasks and the model-level tasks', () => {
    const description = toy.describe();
    expect(toy.entries).toEqual(['encoder', 'step']);
    expect(description.operations).toEqual(['predict', 'stream']);
    expect(description.entries?.map((e) => [e.name, e.tasks, e.operations])).toEqual([
      ['encoder', ['predict'], ['predict']],
      ['step', ['predict', 'stream'], ['predict', 'stream']],
    ]);
    expect(description.entries?.[0]?.ports.outputs).toEqual([{ name: 'vector', kind: 'vector', size: 3, tensor: 'vector', lengths: null }]);
    expect(description.entries?.[1]?.states).toEqual([{ path: 'memory', shape: [2, 3], size: 6 }]);
    expect(description.entries?.[1]?.inputs?.map((v) => v.name)).toEqual(['input', 'sequence_lens', 'state_in.memory']);
    expect(description.tasks).toEqual([{ name: 'generate', entries: ['encoder', 'step'] }]);
  });

  it('runs the entry a request names, by default the first entry declaring the operation', async () => {
    expect(worstExcess((await toy.predict({ inputs })).outputs, encoderReference(inputs))).toBeLessThanOrEqual(0);
    expect(worstExcess((await toy.predict({ inputs, entry: 'encoder' })).outputs, encoderReference(inputs))).toBeLessThanOrEqual(0);
    expect(worstExcess((await toy.predict({ inputs, entry: 'step' })).outputs, shapedReference(inputs).outputs)).toBeLessThanOrEqual(0);
    const streamed = await toy.stream({ inputs }); // step: the only entry declaring stream
    expect(worstExcess(streamed.state.memory, shapedReference(inputs).state)).toBeLessThanOrEqual(0);
    expect(await codeOf(toy.stream({ inputs, entry: 'encoder' }))).toBe('E_UNSUPPORTED');
    expect(await codeOf(toy.rollout({ inputs, steps: 2 }))).toBe('E_UNSUPPORTED');
    expect(await codeOf(toy.run('generate', { inputs }))).toBe('E_UNSUPPORTED'); // declared, but this runtime has no module
    expect(await codeOf(toy.predict({ inputs, entry: 'decoder' }))).toBe('E_REQUEST');
    expect(await codeOf(toy.predict({ inputs, entry: 3 } as never))).toBe('E_REQUEST');
  });

  it('refuses one entry file loaded alone', async () => {
    expect(await modelError(runtime.load(twoEntryFiles()['step.onnx'] as Uint8Array))).toEqual({ code: 'E_MODEL', summary: 'the file is one entry of a multi-entry model' });
  });
});

describe('bad manifests and formats', () => {
  const cases: [string, () => Promise<unknown>, string][] = [
    ['a missing entry file', () => runtime.loadEntries('toy', { 'encoder.onnx': twoEntryFiles()['encoder.onnx'] as Uint8Array }), 'an entry’s file is missing'],
    ['mismatched manifests', () => runtime.loadEntries('toy', twoEntryFiles({ step: { ...MANIFEST, tasks: [] } })), 'the files carry different manifests'],
    ['a file the manifest does not list', () => runtime.loadEntries('toy', { ...twoEntryFiles(), 'extra.onnx': twoEntryFiles()['step.onnx'] as Uint8Array }), 'a file the manifest does not list'],
    ['files swapped', () => runtime.loadEntries('toy', { 'encoder.onnx': twoEntryFiles()['step.onnx'] as Uint8Array, 'step.onnx': twoEntryFiles()['encoder.onnx'] as Uint8Array }), 'a file holds another entry than the manifest says'],
    ['a single-entry file among entries', () => runtime.loadEntries('toy', { ...twoEntryFiles(), 'step.onnx': shapedStateModel() }), 'a file of a multi-entry model has no manifest'],
    ['an entry missing from its own manifest', () => runtime.loadEntries('toy', twoEntryFiles({ encoder: { ...MANIFEST, entries: MANIFEST.entries.slice(1), tasks: [] }, step: { ...MANIFEST, entries: MANIFEST.entries.slice(1), tasks: [] } })), 'the file’s entry is not in its manifest'],
    ['a malformed manifest', () => runtime.loadEntries('toy', twoEntryFiles({ encoder: { version: 2, entries: [] }, step: { version: 2, entries: [] } })), 'the manifest lists no entries'],
    ['no files', () => runtime.loadEntries('toy', {}), 'no files'],
    ['an unknown format', () => runtime.load(withMetadata(shapedStateModel(), { 'unfold.format': 'unfold-onnx/9', 'unfold.interface': '{}' })), 'unsupported unfold metadata format'],
    ['a state size that is not its shape’s product', () => runtime.load(withMetadata(shapedStateModel(), { 'unfold.format': 'unfold-onnx/2', 'unfold.interface': JSON.stringify({ version: 2, entry: 'main', tasks: [], ports: { inputs: [], outputs: [] }, semantics: { readout: 'last', emits: 'features' }, inputs: [], outputs: [], states: [{ path: 'memory', shape: [2, 3], size: 5, input: null, output: 'state_out.memory' }] }) })), 'a state size that is not the product of its shape'],
  ];
  it.each(cases)('%s is E_MODEL', async (_, load, summary) => {
    expect(await modelError(load())).toEqual({ code: 'E_MODEL', summary });
  });
});
