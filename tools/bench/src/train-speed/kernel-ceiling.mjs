// The WebAssembly SIMD GEMM ceiling of unfold's own kernels: the `gemm` export of the modules
// @unfold/cells builds from its AssemblyScript sources (SIMD_WASM; RELAXED_SIMD_WASM, with fused
// multiply-add, where `WebAssembly.validate` accepts it), timed alone on one thread at the shapes a
// training step multiplies at and at square ones. The kernels' training rates are compared with it.
//
// How: each shape gets a fresh instance of the compiled module over its own `WebAssembly.Memory` import,
// sized for A, the packed B and C; B is packed once (packB, 8-column panels, as the kernels keep their
// weights), the product is run once to warm up, then timed in repetitions of about 40 ms (small shapes
// run many products per timing); the figure is the best repetition, so a shared machine can only lower
// it. gemm(M, N, K, A, ams, aks, P, C, ldc, accumulate) reads A through two strides: the weight gradients
// run with A transposed (ams = 1, aks = M), exactly as the kernels call it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The builds timed, best first in what the kernels would pick: the private-memory modules (one thread). */
const BUILDS = [
  { build: 'relaxed-simd', constant: 'RELAXED_SIMD_WASM' },
  { build: 'simd', constant: 'SIMD_WASM' },
];
const PAGE = 65536;
const TIMING_SECONDS = 0.04;

/** Where @unfold/cells keeps the generated module constants (shipped in its `src`, built by its `build`). */
export function generatedKernelsPath() {
  const cells = dirname(createRequire(import.meta.url).resolve('@unfold/cells/package.json'));
  return join(cells, 'src/shared/kernels/generated/wasm.ts');
}

/** The base64 module constants of the generated file, by name; throws naming the file when one is missing. */
export function readKernelModules(path = generatedKernelsPath()) {
  const source = readFileSync(path, 'utf8');
  const constants = Object.fromEntries([...source.matchAll(/export const (\w+) = '([A-Za-z0-9+/=]+)'/g)].map((m) => [m[1], m[2]]));
  const missing = BUILDS.filter((b) => !constants[b.constant]).map((b) => b.constant);
  if (missing.length) throw new Error(`kernel-ceiling: expected ${missing.join(' and ')} in ${path}, got constants ${Object.keys(constants).join(', ') || 'none'}; run \`npm run build\` (packages/cells/scripts/build-kernels.mjs generates them)`);
  return constants;
}

/**
 * The builds this runtime validates, each { build, module } compiled; and those it refuses, with why
 * (relaxed SIMD needs `node --experimental-wasm-relaxed-simd` before Node 22).
 */
export function kernelModules(constants = readKernelModules()) {
  const usable = [];
  const refused = [];
  for (const { build, constant } of BUILDS) {
    const bytes = Buffer.from(constants[constant], 'base64');
    if (WebAssembly.validate(bytes)) usable.push({ build, module: new WebAssembly.Module(bytes) });
    else refused.push({ build, reason: `WebAssembly.validate refused ${constant} in Node ${process.versions.node}${build === 'relaxed-simd' ? ' (relaxed SIMD: run node with --experimental-wasm-relaxed-simd, the default from Node 22)' : ''}` });
  }
  return { usable, refused };
}

/**
 * The products of one training step of a recurrent cell (B batch, I input, H hidden, G gates, T steps),
 * as the kernels call gemm, in [M, K, N] (A is M × K, B is K × N), plus 256³–1024³. With 2 threads
 * each thread runs half the batch's per-step products, so those appear at B / 2 as well.
 */
export function kernelGemmShapes({ batch: B, input: I, hidden: H, gates: G, steps: T }) {
  const half = Math.max(1, B >> 1);
  return [
    { name: 'step forward h·Rᵀ', shape: [B, H, G * H] },
    { name: 'step forward h·Rᵀ, half batch', shape: [half, H, G * H] },
    { name: 'input projection x·Wᵀ', shape: [T * B, I, G * H] },
    { name: 'step backward dPre·R', shape: [B, G * H, H] },
    { name: 'step backward dPre·R, half batch', shape: [half, G * H, H] },
    { name: 'input gradient dPre·W', shape: [T * B, G * H, I] },
    { name: 'weight gradient xᵀ·dPre', shape: [I, T * B, G * H], transposedA: true },
    { name: 'weight gradient hᵀ·dPre', shape: [H, T * B, G * H], transposedA: true },
    { name: 'square 256³', shape: [256, 256, 256] },
    { name: 'square 512³', shape: [512, 512, 512] },
    { name: 'square 1024³', shape: [1024, 1024, 1024] },
  ];
}

/** A, B and C for [M, K, N] in a fresh memory with `module` instantiated over it; B packed once. */
export function gemmSetup(module, [M, K, N], { transposedA = false, fill = (i) => Math.sin(i) } = {}) {
  const probe = new WebAssembly.Instance(module, { env: { memory: new WebAssembly.Memory({ initial: 1 }) } });
  const base = Math.ceil(probe.exports.heapBase() / 64) * 64;
  const align = (bytes) => Math.ceil(bytes / 64) * 64;
  const panels = Math.ceil(N / 8) * 8;
  const a = base, b = a + align(4 * M * K), p = b + align(4 * K * N), c = p + align(4 * K * panels);
  const memory = new WebAssembly.Memory({ initial: Math.ceil((c + 4 * M * N) / PAGE) });
  const { exports } = new WebAssembly.Instance(module, { env: { memory } });
  const view = (at, length) => new Float32Array(memory.buffer, at, length);
  const A = view(a, M * K), B = view(b, K * N);
  for (let i = 0; i < A.length; i++) A[i] = fill(i);
  for (let i = 0; i < B.length; i++) B[i] = fill(i + A.length);
  exports.packB(K, N, b, N, 1, p);
  // A row-major M × K, or (the weight gradients) stored K × M and read transposed.
  const [ams, aks] = transposedA ? [1, M] : [K, 1];
  return {
    run: () => exports.gemm(M, N, K, a, ams, aks, p, c, N, 0),
    a: (m, k) => A[m * ams + k * aks],
    b: (k, n) => B[k * N + n],
    c: () => view(c, M * N),
  };
}

/** GFLOP/s of one product on one thread: the best of `repeats` timed repetitions after a warm-up. */
export function gemmRate(module, { shape, transposedA }, repeats = 5) {
  const [M, K, N] = shape;
  const { run } = gemmSetup(module, shape, { transposedA });
  const flops = 2 * M * K * N;
  const start = performance.now();
  run();
  const once = Math.max(1e-7, (performance.now() - start) / 1000);
  const reps = Math.max(1, Math.round(TIMING_SECONDS / once));
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const begin = performance.now();
    for (let r = 0; r < reps; r++) run();
    best = Math.min(best, (performance.now() - begin) / 1000 / reps);
  }
  return flops / best / 1e9;
}

/**
 * Every usable build's rate at every shape: { builds: { [build]: { gflops, shape, name, byShape } },
 * refused }, where gflops is the best shape's (the ceiling), on one thread.
 */
export function measureKernelCeiling(shapes) {
  const { usable, refused } = kernelModules();
  const builds = {};
  for (const { build, module } of usable) {
    const rates = shapes.map((s) => ({ ...s, gflops: gemmRate(module, s) })).sort((x, y) => y.gflops - x.gflops);
    builds[build] = { gflops: rates[0].gflops, shape: rates[0].shape, name: rates[0].name, byShape: rates };
  }
  return { builds, refused, threads: 1 };
}
