import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createModelBuilder, serializeGraph } from '@unfold/onnx';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliWorkspace, runBundled, startServe } from './subprocess';

/**
 * `--engine` on `unfold run` and `unfold serve`: every value runs the same export to the same numbers, the
 * compact engine refuses a file outside its set before running (node, operator, fix), `auto` sends that file
 * to onnxruntime, and a wrong value names the right ones.
 */
const workspace = cliWorkspace('engines');
let onnx: string;
let checkpoint: string;
let inputs: string;
let erf: string;
let erfInputs: string;

/** A one-node graph with an operator the compact engine does not implement. */
function erfModel(): Uint8Array {
  const graph = createModelBuilder(['x', 'y']);
  const [y] = graph.node('Erf', [graph.input('x', { dtype: 'float32', shape: ['n'] })], {}, { stem: 'the_erf' });
  graph.output('y', y as string, { dtype: 'float32', shape: ['n'] });
  return serializeGraph(graph, { name: 'erf' });
}

beforeAll(async () => {
  const { cli, dir } = workspace;
  checkpoint = join(dir, 'small.unfold');
  onnx = join(dir, 'small.onnx');
  expect((await runBundled(cli, ['train', '--epochs', '1', '--hidden', '6', '--window', '5', '-o', checkpoint])).code).toBe(0);
  expect((await runBundled(cli, ['export', checkpoint, '-o', onnx])).code).toBe(0);
  inputs = join(dir, 'inputs.json');
  await writeFile(inputs, JSON.stringify({ input: [[[0.1], [0.4], [0.2], [0.9], [0.5]], [[0.3], [0.3], [0.8], [0.1], [0.0]]] }));
  erf = join(dir, 'erf.onnx');
  await writeFile(erf, erfModel());
  erfInputs = join(dir, 'erf-inputs.json');
  await writeFile(erfInputs, JSON.stringify({ x: [0, 0.5, -1] }));
}, 180_000);

async function outputs(model: string, engine: string): Promise<{ shape: number[]; data: number[] }> {
  const run = await runBundled(workspace.cli, ['run', model, '--inputs', inputs, '--engine', engine]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout).output;
}

describe('unfold run --engine', () => {
  it('runs an export on every engine to the same outputs (within 1e-5), and a checkpoint on each after exporting it', async () => {
    const reference = await outputs(onnx, 'ort-node');
    expect(reference.shape).toEqual([2, 1, 1]);
    for (const engine of ['compact', 'ort-web', 'auto', 'ort', 'tfjs']) {
      for (const model of [onnx, checkpoint]) {
        const got = await outputs(model, engine);
        expect(got.shape, `${engine} ${model}`).toEqual(reference.shape);
        got.data.forEach((value, i) => expect(Math.abs(value - (reference.data[i] as number)), `${engine} ${model}`).toBeLessThanOrEqual(1e-5));
      }
    }
  }, 120_000);

  it('--engine compact refuses a file with an operator it lacks, naming the node, the operator and the fix; auto runs it on onnxruntime', async () => {
    const refused = await runBundled(workspace.cli, ['run', erf, '--inputs', erfInputs, '--engine', 'compact']);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^unfold: E_MODEL: .*the_erf.*Erf.*--engine ort-node/);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    for (const engine of ['auto', 'ort-node']) {
      const run = await runBundled(workspace.cli, ['run', erf, '--inputs', erfInputs, '--engine', engine]);
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout).y.data.map((v: number) => Math.round(v * 1e4) / 1e4)).toEqual([0, 0.5205, -0.8427]);
    }
  }, 60_000);

  it('names the engines for a wrong value; --trees and folders take only ONNX engines', async () => {
    const wrong = await runBundled(workspace.cli, ['run', onnx, '--inputs', inputs, '--engine', 'onnx']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--engine must be one of compact, ort-node, ort-web, auto, tfjs, ort, got "onnx"');
    const trees = await runBundled(workspace.cli, ['run', onnx, '--trees', inputs, '--engine', 'tfjs']);
    expect(trees.code).toBe(2);
    expect(trees.stderr).toMatch(/--trees runs on an ONNX engine, not tfjs\. Fix: pass --engine compact, ort-node, ort-web or auto/);
  });
});

describe('unfold serve --engine', () => {
  it.each([
    ['compact', /^engine compact: the compact engine \(@unfold\/engine\) /m],
    ['auto', /^model small runs on compact \(calls above the threshold on onnxruntime-node\)$/m],
    ['ort-web', /^engine ort-web: onnxruntime-web \(/m],
  ])('--engine %s logs the engine at start and serves', async (engine, line) => {
    const server = await startServe(workspace.cli, [onnx, '--port', '0', '--engine', engine]);
    try {
      expect(server.stdout()).toMatch(line);
      const health = await (await fetch(`${server.url}/health`)).json();
      expect(health).toMatchObject({ status: 'ok', engine });
      const predicted = await fetch(`${server.url}/models/small/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: [[[0.1], [0.2], [0.3], [0.4]]] }) });
      expect(predicted.status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 60_000);

  it('--engine compact refuses to serve a file outside its set before listening; bad values name the fix', async () => {
    const refused = await runBundled(workspace.cli, ['serve', erf, '--port', '0', '--engine', 'compact']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^unfold: E_MODEL: .*erf\.onnx: .*the_erf.*Erf.*--engine ort-node/);
    const cases: [string[], RegExp][] = [
      [['--engine', 'tfjs'], /--engine must be one of compact, ort-node, ort-web, auto, got "tfjs"/],
      [['--engine', 'compact', '--ort', 'web'], /--engine compact and --ort web disagree\. Fix: pass --engine alone/],
      [['--runtime', 'workers', '--engine', 'ort-node'], /--engine ort-node does not run on workerd\. Fix: pass --engine compact \(the default\) or --engine ort-web/],
    ];
    for (const [args, message] of cases) {
      const run = await runBundled(workspace.cli, ['serve', onnx, '--port', '0', ...args]);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toMatch(message);
    }
  }, 60_000);
});
