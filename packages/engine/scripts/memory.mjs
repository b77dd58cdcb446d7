// Whether reusing buffers between calls would pay (issue 18: "plans memory once per session ... buffers reused
// between calls"), on the export the issue names: `recurrent` over an LSTM cell, input 32, hidden 128, 64
// steps, fed as a streaming client feeds it. At each batch size it reports, per session.run:
//   cpu ms         process.cpuUsage (user + system) per call, median of interleaved rounds, and the rounds'
//                  range (the machine is shared)
//   gc ms          time in V8's collector per call (PerformanceObserver 'gc' entries)
//   arrays, MiB    typed arrays allocated per call (views over an existing buffer not counted) and their bytes:
//                  a bundle whose Float32Array, Int32Array, … count every allocation (esbuild inject)
//   alone ms       those allocations replayed without the engine: zeroed, each page written, then collected
//   perfect pool   a bundle whose allocations go through one function that, in pooled rounds, hands each call
//                  the first call's arrays (see PERFECT_POOL), against the same bundle allocating fresh arrays
// The engine is bundled from source (the `@unfold/source` condition), so the figures are the working tree's.
// Run from the repository root: `node --expose-gc packages/engine/scripts/memory.mjs` (env BATCHES, default
// 1,8,64; ROUNDS, default 21). The kernels run on one thread, as servers run them.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const scratch = join(root, '.tmp', 'engine-memory');
const I = 32, H = 128, T = 64;
const BATCHES = (process.env.BATCHES ?? '1,8,64').split(',').map(Number);
const ROUNDS = Number(process.env.ROUNDS ?? 21);

const COUNTING = `
export const allocations = { arrays: 0, bytes: 0, sizes: [] };
function counted(Base) {
  return class extends Base {
    static [Symbol.hasInstance](value) { return value instanceof Base; }
    constructor(...args) {
      super(...args);
      if (!(args[0] instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && args[0] instanceof SharedArrayBuffer))) { allocations.arrays++; allocations.bytes += this.byteLength; allocations.sizes.push(this.byteLength); }
    }
  };
}
const F32 = counted(globalThis.Float32Array), F64 = counted(globalThis.Float64Array), I32 = counted(globalThis.Int32Array), U8 = counted(globalThis.Uint8Array), B64 = counted(globalThis.BigInt64Array);
export { F32 as Float32Array, F64 as Float64Array, I32 as Int32Array, U8 as Uint8Array, B64 as BigInt64Array };
`;

/**
 * A perfect buffer pool, emulated: every \`new Float32Array(n)\` (Int32Array, …) in the engine's sources is
 * rewritten to \`allocate(Float32Array, n)\`, which in a pooled run gives the k-th allocation of the call the
 * k-th array of the first call when the length matches (no zeroing, no collection, its pages mapped and
 * warm), and in a fresh run allocates as before: the same code either way. Not correct in general (nothing
 * checks lifetimes; outputs are reused too): it times the most any pool could save, with none of a real
 * pool's bookkeeping.
 */
const PERFECT_POOL = `
const pool = [];
let next = 0;
let on = false;
/** Before each run: the next allocation is the call's first; pooling false allocates fresh arrays. */
export function resetPool(pooling) { next = 0; on = pooling; }
export function allocate(Base, a, b, c) {
  if (typeof a !== 'number') return b === undefined ? new Base(a) : c === undefined ? new Base(a, b) : new Base(a, b, c);
  if (!on) return new Base(a);
  const k = next++;
  const known = pool[k];
  if (known !== undefined && known.constructor === Base && known.length === a) return known;
  return (pool[k] = new Base(a));
}
`;

/** esbuild plugin: the engine's allocations through PERFECT_POOL's \`allocate\`. */
function poolAllocations(module) {
  return {
    name: 'pool-allocations',
    setup(build) {
      build.onLoad({ filter: /packages[\\/]engine[\\/]src[\\/].*\.ts$/ }, async (args) => {
        const text = readFileSync(args.path, 'utf8').replace(/new (Float32Array|Float64Array|Int32Array|Uint8Array|BigInt64Array)\(/g, '__allocate($1, ');
        return { contents: `import { allocate as __allocate } from ${JSON.stringify(module)};\n${text}`, loader: 'ts' };
      });
    },
  };
}

const VARIANTS = { counting: ['count-arrays.mjs', COUNTING, 'allocations'], pooled: ['perfect-pool.mjs', PERFECT_POOL, 'resetPool'] };

/** The packages the script needs from source; `variant` counting or pooled replaces the typed-array constructors. */
async function bundle(name, variant) {
  mkdirSync(scratch, { recursive: true });
  const [file, source, exported] = VARIANTS[variant] ?? [];
  const inject = file && join(scratch, file);
  if (inject) writeFileSync(inject, source);
  const outfile = join(scratch, `${name}.mjs`);
  const contents = [
    "export { createRegistry, initWeights, resolveModel } from '@unfold/core';",
    "export { layers } from '@unfold/architectures';",
    "export { cells } from '@unfold/cells/all';",
    "export { exportModel, FULL_LENGTH } from '@unfold/onnx';",
    "export * as compact from '@unfold/engine';",
    "export { useKernels } from '@unfold/cells/kernels';",
    ...(inject ? [`export { ${exported} } from './${file}';`] : []),
  ].join('\n');
  await build({ stdin: { contents, resolveDir: inject ? scratch : root, loader: 'ts' }, nodePaths: [join(root, 'node_modules')], bundle: true, format: 'esm', platform: 'node', target: 'es2022', conditions: ['@unfold/source'], external: ['@tensorflow/*', 'onnxruntime-*'], ...(variant === 'counting' ? { inject: [inject] } : variant === 'pooled' ? { plugins: [poolAllocations(inject)] } : {}), outfile, logLevel: 'error' });
  return import(pathToFileURL(outfile).href);
}

function uniform(size, seed) {
  let s = seed;
  return Float32Array.from({ length: size }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1);
}

async function session(unfold) {
  unfold.useKernels('auto', { threads: 1 });
  const registry = unfold.createRegistry([...unfold.cells, ...unfold.layers]);
  const spec = { kind: 'recurrent', children: { cell: { kind: 'lstm', config: { inputSize: I, hiddenSize: H } } } };
  const bytes = unfold.exportModel(registry, { spec, weights: unfold.initWeights(unfold.resolveModel(registry, spec), 1) });
  const { Tensor, InferenceSession } = unfold.compact;
  const feeds = (batch) => ({
    input: new Tensor('float32', uniform(batch * T * I, 7), [batch, T, I]),
    sequence_lens: new Tensor('int32', Int32Array.of(unfold.FULL_LENGTH), [1]),
    'state_in.cell.h': new Tensor('float32', new Float32Array(H), [1, H]),
    'state_in.cell.c': new Tensor('float32', new Float32Array(H), [1, H]),
  });
  return { session: await InferenceSession.create(bytes), feeds };
}

/**
 * CPU ms per call of the engine's allocations alone: arrays of one call's sizes, each zeroed by the
 * allocator and written once per 4 KiB page (an operator writes all of it anyway; a pooled buffer would
 * have its pages mapped already), all alive until the call ends, then dropped for the collector.
 */
function replayMs(sizes, calls) {
  const start = process.cpuUsage();
  let sink = 0;
  for (let call = 0; call < calls; call++) {
    const live = sizes.map((size) => {
      const array = new Uint8Array(size);
      for (let i = 0; i < size; i += 4096) array[i] = 1;
      return array;
    });
    sink += live.length;
  }
  if (sink < 0) console.log(sink);
  return cpuMs(start) / calls;
}

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const quartiles = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return [0.25, 0.5, 0.75].map((q) => sorted[Math.round(q * (sorted.length - 1))]);
};
const cpuMs = (start) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });

const timed = await session(await bundle('timed'));
const counting = await bundle('counting', 'counting');
const perfect = await bundle('pooled', 'pooled');
const pooled = await session(perfect);
const counted = await session(counting);
/** CPU ms per call of `calls` runs, and the collector's ms in them. */
async function round(entry, feeds, calls, before = () => {}) {
  const [start, gcBefore] = [process.cpuUsage(), gcMs];
  for (let i = 0; i < calls; i++) {
    before();
    await entry.session.run(feeds);
  }
  await new Promise((resolve) => setImmediate(resolve)); // the observer's entries arrive on a later tick
  return { cpu: cpuMs(start) / calls, gc: (gcMs - gcBefore) / calls };
}

const rows = [];
for (const batch of BATCHES) {
  const calls = Math.max(4, Math.round(128 / batch));
  const feeds = { timed: timed.feeds(batch), pooled: pooled.feeds(batch) };
  for (let i = 0; i < 3; i++) {
    await timed.session.run(feeds.timed);
    perfect.resetPool(true);
    await pooled.session.run(feeds.pooled);
  }
  globalThis.gc?.();
  const plain = [];
  const fresh = [];
  const reused = [];
  // Interleaved rounds: a change in the machine's other load hits all alike. The pool's effect is measured
  // against the same bundle allocating fresh arrays (its typed-array subclasses alone change V8's timings).
  for (let r = 0; r < ROUNDS; r++) {
    plain.push(await round(timed, feeds.timed, calls));
    fresh.push(await round(pooled, feeds.pooled, calls, () => perfect.resetPool(false)));
    reused.push(await round(pooled, feeds.pooled, calls, () => perfect.resetPool(true)));
  }
  const countedFeeds = counted.feeds(batch);
  await counted.session.run(countedFeeds);
  const before = { ...counting.allocations, sizes: counting.allocations.sizes.length };
  await counted.session.run(countedFeeds);
  const sizes = counting.allocations.sizes.slice(before.sizes);
  const replay = [];
  for (let r = 0; r < ROUNDS; r++) replay.push(replayMs(sizes, calls));
  const cpu = median(plain.map((x) => x.cpu));
  const row = {
    batch,
    cpuMs: cpu,
    cpuSpreadMs: [Math.min(...plain.map((x) => x.cpu)), Math.max(...plain.map((x) => x.cpu))],
    gcMs: median(plain.map((x) => x.gc)),
    sameBundleFreshCpuMs: median(fresh.map((x) => x.cpu)),
    perfectPoolCpuMs: median(reused.map((x) => x.cpu)),
    perfectPoolGcMs: median(reused.map((x) => x.gc)),
    // Each round's pooled time over the same round's fresh time: quartiles (noise common to a round cancels).
    perfectPoolRatio: quartiles(reused.map((x, r) => x.cpu / fresh[r].cpu)),
    arrays: counting.allocations.arrays - before.arrays,
    megabytes: (counting.allocations.bytes - before.bytes) / 2 ** 20,
    allocationsAloneMs: median(replay),
    largestBytes: [...sizes].sort((a, b) => b - a).slice(0, 4),
  };
  rows.push(row);
  const pct = (ms) => `${(100 * ms / cpu).toFixed(1)}%`;
  console.log(`batch ${batch}: ${cpu.toFixed(3)} ms CPU per call (rounds ${row.cpuSpreadMs.map((v) => v.toFixed(3)).join('–')}), ${row.gcMs.toFixed(3)} ms of it in GC (${pct(row.gcMs)}); ${row.arrays} typed arrays, ${row.megabytes.toFixed(2)} MiB allocated per call; those allocations alone ${row.allocationsAloneMs.toFixed(3)} ms (${pct(row.allocationsAloneMs)}); a perfect pool ${row.perfectPoolCpuMs.toFixed(3)} ms per call against ${row.sameBundleFreshCpuMs.toFixed(3)} ms fresh through the same bundle, round by round ×${row.perfectPoolRatio.map((v) => v.toFixed(3)).join(' / ')} (quartiles), GC ${row.perfectPoolGcMs.toFixed(3)} ms`);
}
await timed.session.release();
await counted.session.release();
await pooled.session.release();
console.log(JSON.stringify(rows));
