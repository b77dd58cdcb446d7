import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without types
import { gemmSetup, kernelGemmShapes, kernelModules } from '../src/train-speed/kernel-ceiling.mjs';
// @ts-expect-error: a plain ESM script without types
import { applyCeilings, whereTheRestGoes } from '../src/train-speed/report.mjs';

interface Setup { run(): void; a(m: number, k: number): number; b(k: number, n: number): number; c(): Float32Array }
interface Usable { build: string; module: WebAssembly.Module }

describe('the kernel GEMM ceiling', () => {
  const { usable } = kernelModules() as { usable: Usable[] };

  it('times a real product: the harness computes A·B, A read plain or transposed, with tails and K blocks', () => {
    expect(usable.map((u) => u.build)).toContain('simd');
    for (const { module } of usable) {
      for (const [shape, transposedA] of [[[5, 7, 13], false], [[9, 300, 17], true], [[4, 33, 8], false]] as const) {
        const [M, K, N] = shape;
        const g: Setup = gemmSetup(module, shape, { transposedA });
        g.run();
        const C = g.c();
        let worst = 0;
        for (let m = 0; m < M; m++) {
          for (let n = 0; n < N; n++) {
            let sum = 0;
            for (let k = 0; k < K; k++) sum += g.a(m, k) * g.b(k, n);
            worst = Math.max(worst, Math.abs(sum - (C[m * N + n] as number)) / (1 + Math.abs(sum)));
          }
        }
        expect(worst).toBeLessThan(1e-5);
      }
    }
  });

  it('lists the products of a training step as the kernels call them, and the squares', () => {
    const shapes = kernelGemmShapes({ batch: 32, input: 32, hidden: 128, gates: 4, steps: 64 }) as { name: string; shape: number[]; transposedA?: boolean }[];
    const byName = Object.fromEntries(shapes.map((s) => [s.name, s]));
    expect(byName['step forward h·Rᵀ']?.shape).toEqual([32, 128, 512]);
    expect(byName['step forward h·Rᵀ, half batch']?.shape).toEqual([16, 128, 512]);
    expect(byName['input projection x·Wᵀ']?.shape).toEqual([2048, 32, 512]);
    expect(byName['weight gradient hᵀ·dPre']).toEqual({ name: 'weight gradient hᵀ·dPre', shape: [128, 2048, 512], transposedA: true });
    expect(byName['square 1024³']?.shape).toEqual([1024, 1024, 1024]);
  });
});

describe('the training bench\'s ceilings and split', () => {
  const options = { input: 32, steps: 64, batch: 32 };
  const row = (over: object) => ({ cell: 'lstm', hidden: 128, engine: 'tfjs-wasm', gflops: 10, ...over });

  it('compares kernel rows with threads × their build\'s ceiling, tfjs rows with the matMul, PyTorch with nothing', () => {
    const rows = [
      row({ contender: 'unfold', kernelBuild: 'simd', threads: 2 }),
      row({ contender: 'unfold-relaxed', kernelBuild: 'relaxed-simd', threads: 1 }),
      row({ contender: 'unfold-tfjs', kernelBuild: 'none', threads: 0 }),
      row({ contender: 'pytorch-1t', engine: 'pytorch', threads: 1 }),
    ];
    applyCeilings(rows, { kernel: { simd: { gflops: 20 }, 'relaxed-simd': { gflops: 40 } }, tfjs: { gflops: 25, threads: 1 } }, options);
    expect(rows.map((r: { ceilingFraction?: number | null }) => r.ceilingFraction)).toEqual([0.25, 0.25, 0.4, null]);
    expect(rows[0]).toMatchObject({ ceilingBasis: 'kernel GEMM (simd) × 2 thread(s)', ceilingFraction1t: 0.5 });
    expect(rows[2]).toMatchObject({ ceilingBasis: 'tfjs-wasm matMul, 1 thread(s)' });
  });

  it('splits a kernel row\'s step into the products at the ceiling, the rest of the sequence op and what is outside it', () => {
    const rows = [
      row({ contender: 'unfold', kernelBuild: 'simd', threads: 1, split: { stepMs: 40, sequenceMs: 30 } }),
      row({ contender: 'unfold-tfjs', kernelBuild: 'none', threads: 0, split: { stepMs: 200, sequenceMs: 150 } }),
    ];
    // 3 × 2·(32 + 128)·4·128·64 FLOPs per sequence × 32 sequences = 1.0066 GFLOP: 10.07 ms at 100 GFLOP/s.
    applyCeilings(rows, { kernel: { simd: { gflops: 100 } }, tfjs: { gflops: 50, threads: 1 } }, options);
    expect((rows[0] as { split: { gemmAtCeilingMs: number } }).split.gemmAtCeilingMs).toBeCloseTo(10.066, 2);
    const [line] = whereTheRestGoes(rows) as string[];
    expect(line).toContain('products at that ceiling 10.1 ms (25%)');
    expect(line).toContain('the rest of the sequence op 19.9 ms (50%');
    expect(line).toContain('outside the sequence op 10.0 ms (25%');
    expect(line).toContain('the tfjs path\'s sequence op takes 150.0 ms (5.0× the kernels\')');
    expect(whereTheRestGoes(rows)).toHaveLength(1);
  });
});
