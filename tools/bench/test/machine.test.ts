import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without types
import { command, machine, machineHeader, repoRoot } from '../src/machine.mjs';

describe('the results header', () => {
  it('states the command from the repository root, with the variables that change a bench (not BENCH_NOTE)', () => {
    const argv = ['/usr/bin/node', `${repoRoot}/tools/bench/src/train-speed.mjs`, '--quick', '--json'];
    const env = { BENCH_ROUNDS: '5', BENCH_NOTE: 'shared machine', UNFOLD_KERNELS: 'off', OPENBLAS_CORETYPE: 'Haswell', HOME: '/somewhere' };
    expect(command(argv, env)).toBe('BENCH_ROUNDS=5 OPENBLAS_CORETYPE=Haswell UNFOLD_KERNELS=off node tools/bench/src/train-speed.mjs --quick --json');
  });

  it('names the CPU and its vector extensions, cores, versions, commit and command', () => {
    const info = machine();
    const header: string = machineHeader(info);
    expect(info.logicalCpus).toBeGreaterThan(0);
    expect(header).toContain(`- Machine: ${info.cpu}, ${info.logicalCpus} logical CPUs`);
    expect(header).toContain(`vector extensions: ${info.vectorExtensions}`);
    expect(header).toContain(`Node ${process.version}, onnxruntime-node ${info.onnxruntimeNode}, tfjs ${info.tfjs}`);
    expect(info.onnxruntimeNode).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.tfjs).toMatch(/^\d+\.\d+\.\d+/);
    expect(header).toContain(`- Commit: ${info.commit}`);
    expect(header).toContain(`- Command: \`${info.command}\``);
    if (info.avx2 !== null) expect(info.vectorExtensions.includes('AVX2')).toBe(info.avx2);
  });
});
