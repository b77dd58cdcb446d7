import { join } from 'node:path';
import { loadModel } from '@unfold/core/node';
import { describe, expect, it } from 'vitest';
import { builtInRegistry } from '../src/index';
import { cliWorkspace, runBundled } from './subprocess';

// The ready NTM spec trains through the real command from JSON lines whose per-step targets are null
// before the answer phase (masked out of the loss), with gradient clipping as the literature does.
const workspace = cliWorkspace('train-ntm');

describe('unfold train --spec examples/specs/ntm-copy.json (subprocess)', () => {
  it('trains the NTM on the copy records (null targets masked), the loss falls, and the checkpoint holds the NTM', async () => {
    const out = join(workspace.dir, 'ntm-copy.unfold');
    const run = await runBundled(workspace.cli, ['train', '--spec', 'examples/specs/ntm-copy.json', '--data', 'examples/data/ntm-copy.jsonl', '--epochs', '4', '--lr', '0.005', '--batch', '16', '--clip-norm', '10', '-o', out]);
    expect(run.code, run.stderr).toBe(0);
    const match = /training loss ([\d.]+) → ([\d.]+) over \d+ epochs/.exec(run.stdout);
    expect(match, run.stdout + run.stderr).not.toBeNull();
    expect(Number(match?.[2])).toBeLessThan(Number(match?.[1]));
    const model = await loadModel(builtInRegistry(), out);
    const body = model.spec.children?.body as { children?: Record<string, unknown> } | undefined;
    expect(body?.children?.cell).toMatchObject({ kind: 'ntm', config: { inputSize: 5 } });
    expect(model.spec.children?.output).toMatchObject({ config: { inputSize: 8, outputSize: 4 } });
  }, 120_000);
});
