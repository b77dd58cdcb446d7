import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '@unfold/core/node';
import { describe, expect, it } from 'vitest';
import { builtInRegistry, runCli, type Io } from '../src/index';

function capture(): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', interactive: false, out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

describe('unfold train', () => {
  it('trains a forecaster, reports the test error and writes a loadable checkpoint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'unfold-train-'));
    const out = join(dir, 'model.unfold');
    const io = capture();
    const code = await runCli(['train', '--epochs', '2', '--hidden', '8', '--window', '8', '--out', out], io);
    expect(io.stderr).toContain('epoch 1/2');
    // The kernels as this process runs them: on by default, off under UNFOLD_KERNELS=off (the tfjs-path suite).
    expect(io.stderr).toMatch(process.env.UNFOLD_KERNELS === 'off' ? /backend wasm, kernels off \(the tfjs path\)\n/ : /backend wasm, kernels (relaxed-simd|simd) on [12] threads?\n/);
    expect(code).toBe(0);
    const score = Number(/test NRMSE ([\d.]+)/.exec(io.stdout)?.[1]);
    expect(score).toBeLessThan(0.5);
    const loaded = await loadModel(builtInRegistry(), out);
    expect(loaded.spec.metadata).toMatchObject({ task: 'mackey-glass', window: 8 });
  });

  it('says when the kernels are off, and refuses a kernels variable outside its values in one line with exit code 2', async () => {
    const saved = process.env.UNFOLD_KERNELS;
    try {
      process.env.UNFOLD_KERNELS = 'off';
      const off = capture();
      expect(await runCli(['train', '--epochs', '1', '--hidden', '4', '--window', '4', '--out', join(await mkdtemp(join(tmpdir(), 'unfold-train-')), 'm.unfold')], off)).toBe(0);
      expect(off.stderr).toContain('backend wasm, kernels off (the tfjs path)');
      process.env.UNFOLD_KERNELS = 'bogus';
      const bad = capture();
      expect(await runCli(['train', '--epochs', '1', '--hidden', '4', '--window', '4', '--out', join(await mkdtemp(join(tmpdir(), 'unfold-train-')), 'm.unfold')], bad)).toBe(2);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      expect(bad.stderr).toMatch(/invalid UNFOLD_KERNELS; expected "auto" or "off"; got "bogus"\. Fix: set UNFOLD_KERNELS to auto or off/);
    } finally {
      if (saved === undefined) delete process.env.UNFOLD_KERNELS;
      else process.env.UNFOLD_KERNELS = saved;
    }
  });

  it('rejects bad options with one line and exit code 2', async () => {
    for (const argv of [['train', '--cell', 'transformer'], ['train', '--epochs', '0'], ['train', '--bogus'], ['frobnicate']]) {
      const io = capture();
      expect(await runCli(argv, io)).toBe(2);
      expect(io.stderr.trim().split('\n')).toHaveLength(1);
      expect(io.stderr).toMatch(/^unfold: .*Fix: /);
    }
  });

  it('prints help', async () => {
    const io = capture();
    expect(await runCli(['train', '--help'], io)).toBe(0);
    expect(io.stdout).toContain('Usage: unfold train');
  });
});
