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

  it.each(runs.map((r, i) => [`${r.model} ${r.args.join(' ')}`.trim(), i, r] as const))('%s gives the recorded outputs bit for bit', async (_label, index, recorded) => {
    const inputs = join(workspace.dir, `inputs.${index}.json`);
    await writeFile(inputs, JSON.stringify(recorded.inputs));
    const result = await runBundled(workspace.cli, ['run', join(folder, recorded.model), '--inputs', inputs, ...recorded.args]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(recorded.outputs);
  }, 120_000);
});
