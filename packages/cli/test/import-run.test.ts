import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectClose, listFixtures } from '@unfold/testing';
import { describe, expect, it } from 'vitest';
import { cliWorkspace, runBundled } from './subprocess';

interface TorchOnnxFixture {
  name: string;
  file: string;
  module: { batchFirst: boolean; packed: string | null; head: unknown; read: string };
  cases: { inputs: Record<string, unknown>; outputs: Record<string, { shape: number[]; data: number[] }> }[];
}

const here = dirname(fileURLToPath(import.meta.url));
const folder = join(here, '../../onnx/test/fixtures/torch-onnx');
const fixtures = listFixtures(folder).map((path) => JSON.parse(readFileSync(path, 'utf8')) as TorchOnnxFixture);
const workspace = cliWorkspace('import-run');

/** Flat indices of padded steps in a per-step head's output [B, T, O] (batch-first) of a packed tagger; else none. */
function paddedPositions(fixture: TorchOnnxFixture, inputs: Record<string, unknown>, shape: number[]): Set<number> {
  const lengths = (inputs.lengths as { data?: number[] } | undefined)?.data;
  if (!fixture.module.packed || !fixture.module.head || fixture.module.read !== 'steps' || !lengths || shape.length !== 3 || !fixture.module.batchFirst) return new Set();
  const [B, T, O] = shape as [number, number, number];
  const padded = new Set<number>();
  for (let b = 0; b < B; b++) for (let t = lengths[b]!; t < T; t++) for (let o = 0; o < O; o++) padded.add((b * T + t) * O + o);
  return padded;
}

/** Runs `unfold run` and returns the parsed outputs, failing with the command's stderr. */
async function runModel(model: string, inputs: string, engine?: string): Promise<Record<string, { shape: number[]; data: number[] }>> {
  const out = join(workspace.dir, `${basename(model)}.${engine ?? 'default'}.${basename(inputs)}`);
  const result = await runBundled(workspace.cli, ['run', model, '--inputs', inputs, '-o', out, ...(engine ? ['--engine', engine] : [])]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(readFileSync(out, 'utf8'));
}

describe('unfold import + unfold run on PyTorch-exported models', () => {
  it('has the fixtures', () => expect(fixtures.length).toBeGreaterThanOrEqual(12));

  it.each(fixtures.map((f) => [f.name, f] as const))('%s matches torch through the checkpoint and the .onnx file', async (_name, fixture) => {
    const onnx = join(folder, fixture.file);
    const checkpoint = join(workspace.dir, `${fixture.name}.unfold`);
    const imported = await runBundled(workspace.cli, ['import', onnx, '-o', checkpoint]);
    expect(imported.code, imported.stderr).toBe(0);
    for (const [index, { inputs, outputs }] of fixture.cases.entries()) {
      const inputsPath = join(workspace.dir, `${fixture.name}.${index}.inputs.json`);
      await writeFile(inputsPath, JSON.stringify(inputs));
      const viaUnfold = await runModel(checkpoint, inputsPath);
      const viaOrt = await runModel(onnx, inputsPath);
      for (const [name, expected] of Object.entries(outputs)) {
        expect(viaUnfold[name]?.shape, `${name} shape`).toEqual(expected.shape);
        expectClose(viaOrt[name]!.data, expected.data, { label: `${fixture.name} case ${index} ${name} (onnxruntime)` });
        const padded = paddedPositions(fixture, inputs, expected.shape);
        // torch applies a per-step head to padding too (act(b) there); unfold keeps padded outputs at 0.
        expectClose(viaUnfold[name]!.data.filter((_, i) => !padded.has(i)), expected.data.filter((_, i) => !padded.has(i)), { label: `${fixture.name} case ${index} ${name} (unfold)` });
        expect([...padded].every((i) => viaUnfold[name]!.data[i] === 0)).toBe(true);
      }
    }
  }, 120_000);

  it('runs a checkpoint in onnxruntime and an exported file in unfold with the same results', async () => {
    const fixture = fixtures.find((f) => f.name === 'lstm_2layer_h0c0')!;
    const checkpoint = join(workspace.dir, 'roundtrip.unfold');
    expect((await runBundled(workspace.cli, ['import', join(folder, fixture.file), '-o', checkpoint])).code).toBe(0);
    const inputsPath = join(workspace.dir, 'roundtrip.inputs.json');
    await writeFile(inputsPath, JSON.stringify(fixture.cases[0]!.inputs));
    const tfjs = await runModel(checkpoint, inputsPath, 'tfjs');
    const ort = await runModel(checkpoint, inputsPath, 'ort');
    for (const name of Object.keys(fixture.cases[0]!.outputs)) expectClose(ort[name]!.data, tfjs[name]!.data, { label: name });
  }, 120_000);

  it('rejects bad inputs files and unsupported models in one line with exit code 2', async () => {
    const bad = join(workspace.dir, 'bad.json');
    await writeFile(bad, '{"x": [[1, 2], [3]]}');
    const onnx = join(folder, fixtures[0]!.file);
    for (const [args, message] of [
      [['run', onnx, '--inputs', bad], /ragged nested array/],
      [['run', onnx], /missing --inputs/],
      [['import', join(folder, `${fixtures[0]!.name}.json`), '-o', join(workspace.dir, 'x.unfold')], /is not an ONNX model/],
      [['run', onnx, '--inputs', bad, '--engine', 'gpu'], /--engine must be one of compact, ort-node, ort-web, auto, tfjs, ort, got "gpu"/],
    ] as [string[], RegExp][]) {
      const result = await runBundled(workspace.cli, args);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  }, 120_000);
});
