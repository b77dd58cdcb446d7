import { deserializeModel, serializeModel, setupBackend } from '@unfold/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importOnnx, type ImportedInterface } from '../../src/index';
import { expectWithin, feedsOf, fixtureNames, fullRegistry, loadTorchFixture, MaxDiffs, realSteps, runImported, runOrt } from './helpers';

// Every PyTorch 1.13 export committed by tools/fixtures/generate_torch_onnx.py: imported, then unfold's
// forward pass on the fixture's inputs (fed under the file's names) against eager PyTorch's outputs and
// against onnxruntime-node running the original file, at both shapes.
const diffs = new MaxDiffs();
beforeAll(() => setupBackend());
afterAll(() => diffs.report('PyTorch fixtures'));

const names = fixtureNames();

describe('PyTorch 1.13 exports', () => {
  it('are all here (16 models, a few hundred KB at most)', () => {
    expect(names.length).toBe(16);
  });

  it.each(names)('%s: unfold matches torch and onnxruntime at two shapes', async (name) => {
    const { fixture, bytes } = loadTorchFixture(name);
    const model = importOnnx(bytes, { where: fixture.file, registry: fullRegistry() });
    expect(model.interface.inputs.map((i) => i.name)).toEqual(fixture.inputNames);
    expect(model.interface.outputs.map((o) => o.name)).toEqual(fixture.outputNames);
    const shapes = new Set<string>();
    for (const [c, testCase] of fixture.cases.entries()) {
      const feeds = feedsOf(testCase.inputs);
      const ours = runImported(model, feeds);
      const ort = await runOrt(bytes, feeds);
      const lengths = testCase.inputs.lengths?.data;
      // A head over padded outputs gives act(b) at padded steps in the file; unfold's sequence-model gives 0.
      const padded = fixture.module.head && fixture.module.read === 'steps' && lengths ? lengths : undefined;
      for (const output of fixture.outputNames) {
        const torch = testCase.outputs[output];
        const mine = ours[output];
        expect(mine?.shape, `${name} case ${c} ${output} shape`).toEqual(torch?.shape);
        const keep = (v: { shape: readonly number[]; data: ArrayLike<number> }) => realSteps({ shape: v.shape, data: Float32Array.from(v.data) }, padded, fixture.module.batchFirst);
        diffs.record('torch', expectWithin(`${name} case ${c} ${output} vs torch`, keep(mine!), keep(torch!)));
        diffs.record('onnxruntime', expectWithin(`${name} case ${c} ${output} vs onnxruntime`, keep(mine!), keep(ort[output]!)));
      }
      shapes.add(JSON.stringify(testCase.inputs.x?.shape));
    }
    expect(shapes.size).toBe(2);
  });
});

describe('what the imports record', () => {
  it('the ops each file holds, as the generator listed them', () => {
    for (const name of names) {
      const { fixture, bytes } = loadTorchFixture(name);
      expect(Object.keys(importOnnx(bytes).ops).sort(), name).toEqual(fixture.ops);
    }
  });

  it('a packed tagger: real steps match, padded steps are exactly 0 in unfold, and the note says so', () => {
    const { fixture, bytes } = loadTorchFixture('tagger_gru_bidir_2layer_packed_batch_first');
    const model = importOnnx(bytes, { registry: fullRegistry() });
    expect(model.interface.notes).toContain('at padded steps (t >= length) the file returns the head applied to zeros; unfold’s sequence-model returns 0 there; real steps are identical');
    const testCase = fixture.cases[1]!;
    const lengths = testCase.inputs.lengths!.data;
    const y = runImported(model, feedsOf(testCase.inputs)).y!;
    const [batch, time, outputs] = y.shape as [number, number, number];
    for (let b = 0; b < batch; b++) {
      for (let t = lengths[b]!; t < time; t++) expect(Array.from(y.data.subarray((b * time + t) * outputs, (b * time + t + 1) * outputs)).every((v) => v === 0)).toBe(true);
    }
  });

  it('the interface survives a checkpoint: save, load, and the same outputs under the file’s names', () => {
    const { fixture, bytes } = loadTorchFixture('lstm_bidir_packed_unsorted_h0c0_batch_first');
    const registry = fullRegistry();
    const model = importOnnx(bytes, { registry });
    const loaded = deserializeModel(registry, serializeModel(registry, model));
    const io = (loaded.spec.metadata as unknown as { onnx: ImportedInterface }).onnx;
    expect(io).toEqual(model.interface);
    const testCase = fixture.cases[0]!;
    const fromCheckpoint = runImported({ ...model, spec: loaded.spec, weights: loaded.weights, interface: io }, feedsOf(testCase.inputs));
    for (const name of fixture.outputNames) expectWithin(`checkpoint ${name}`, fromCheckpoint[name]!.data, testCase.outputs[name]!.data);
  });
});
