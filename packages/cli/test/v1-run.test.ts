import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cliWorkspace, runBundled } from './subprocess';

/**
 * `unfold run` on the v1 baseline (packages/runtime/test/fixtures/v1, recorded before "contracts v2" by
 * tools/fixtures/record-v1-baseline.mjs): the committed .onnx files and checkpoint must still run and
 * give the recorded outputs bit for bit. Do not regenerate the fixtures to make this pass.
 *
 * The recording ran the checkpoint on the cells' tfjs path, so the bit-for-bit run of a checkpoint forces
 * that path (UNFOLD_KERNELS=off); the WebAssembly kernels, the default since, compute the same equations
 * in another order of float32 operations and must agree within 1e-5 + 1e-5·|recorded|.
 */
interface RecordedRun {
  readonly model: string;
  readonly args: readonly string[];
  readonly inputs: Record<string, unknown>;
  readonly outputs: Record<string, { dtype: string; shape: number[]; data: number[] }>;
}

const folder = join(dirname(fileURLToPath(import.meta.url)), '../../runtime/test/fixtures/v1');
const runs = (JSON.parse(readFileSync(join(folder, 'answers.json'), 'utf8')) as { run: RecordedRun[] }).run;
const workspace = cliWorkspace('v1-run');

describe('unfold run on v1 files (before contracts v2)', () => {
  it('has the recorded runs, checkpoint included', () => {
    expect(runs.map((r) => r.model)).toEqual(expect.arrayContaining(['forecaster.onnx', 'forecaster.unfold']));
  });

  async function run(index: number, recorded: RecordedRun, env: Record<string, string> = {}): Promise<RecordedRun['outputs']> {
    const inputs = join(workspace.dir, `inputs.${index}.json`);
    await writeFile(inputs, JSON.stringify(recorded.inputs));
    const result = await runBundled(workspace.cli, ['run', join(folder, recorded.model), '--inputs', inputs, ...recorded.args], undefined, env);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as RecordedRun['outputs'];
  }

  it.each(runs.map((r, i) => [`${r.model} ${r.args.join(' ')}`.trim(), i, r] as const))('%s gives the recorded outputs bit for bit', async (_label, index, recorded) => {
    expect(await run(index, recorded, { UNFOLD_KERNELS: 'off' })).toEqual(recorded.outputs);
  }, 120_000);

  const checkpoints = runs.map((r, i) => [`${r.model} ${r.args.join(' ')}`.trim(), i, r] as const).filter(([, , r]) => r.model.endsWith('.unfold') && !r.args.join(' ').includes('--engine ort'));
  it.each(checkpoints)('%s on the WebAssembly kernels agrees with the recorded outputs within 1e-5', async (_label, index, recorded) => {
    const outputs = await run(index, recorded);
    expect(Object.keys(outputs).sort()).toEqual(Object.keys(recorded.outputs).sort());
    for (const [name, want] of Object.entries(recorded.outputs)) {
      const got = outputs[name] as (typeof recorded.outputs)[string];
      expect({ dtype: got.dtype, shape: got.shape }).toEqual({ dtype: want.dtype, shape: want.shape });
      got.data.forEach((value, i) => expect(Math.abs(value - (want.data[i] as number)), `${name}[${i}]`).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(want.data[i] as number)));
    }
  }, 120_000);
});
