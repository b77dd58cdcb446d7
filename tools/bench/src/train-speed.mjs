// Training throughput, side by side in one run: unfold's default training path (its WebAssembly SIMD
// kernels, 2 threads), the kernels on one thread (unfold-1t), the relaxed-SIMD (FMA) kernels Node ≥ 22
// runs by default (unfold-relaxed), unfold forced onto its tfjs path (unfold-tfjs, UNFOLD_KERNELS=off),
// tfjs-layers (tf.layers.lstm/gru + dense) on the same tfjs wasm backend, and PyTorch on CPU with 1 and 2
// threads when the system Python imports torch. LSTM and GRU at hidden 32, 128 and 512; input 32, 64
// steps, batch 32, dense head on the last step, MSE, Adam (lr 1e-3), float32.
//
// Method: every contender is its own process (train-speed/protocol.mjs), fresh for each configuration,
// warmed up (≥ 2 steps and ≥ 0.5 s, excluded), then timed in interleaved rounds: each round runs every
// contender once, in a rotated order, for enough steps to last ≥ --round-seconds. The figure is the median
// over rounds; each row also carries its process's peak resident set after them (peakRssMiB). Then each
// unfold contender times its step against the cell's sequence op alone (train-speed/sequence-split.mjs),
// which says where a step's time goes. The ceilings run in a process of their own
// (train-speed/ceiling-child.mjs), before and after the rounds: the GEMM of unfold's own kernels per build
// on one thread (train-speed/kernel-ceiling.mjs) for the kernel rows, tfjs-wasm's matMul
// (train-speed/matmul-ceiling.mjs) for the tfjs rows, best over the step's shapes and square ones
// (train-speed/report.mjs says which row is compared with what). Training GFLOP/s counts one sequence as
// 3 × its forward FLOPs. A fraction above 100% of the ceiling is a broken measurement: the bench names the
// row and exits 1 without writing results. It never fails on speed.
//
// Run: `node tools/bench/src/train-speed.mjs [--json] [--quick] ...` (--help lists the options) from the
// repo root after `npm run build` (it imports the built packages). A full run writes
// tools/bench/results/train-speed.{json,md}.
import { fileURLToPath } from 'node:url';
import { resultsDocument, writeResults } from './stats.mjs';
import { assertWithinCeiling, exitOnCeilingExceeded } from './sanity.mjs';
import { contenders, startCeilingChild } from './train-speed/contenders.mjs';
import { kernelGemmShapes } from './train-speed/kernel-ceiling.mjs';
import { ceilingShapes } from './train-speed/matmul-ceiling.mjs';
import { parseOptions, USAGE, UsageError } from './train-speed/options.mjs';
import { applyCeilings, configurationRows, describeTorch, GATES, tableColumns, whereTheRestGoes } from './train-speed/report.mjs';

const MAX_STEPS_PER_ROUND = 1000;
/** Alternations of step and sequence-op timings per unfold contender, each of half a round's steps. */
const SPLIT_REPEATS = 5;
const progress = (message) => process.stderr.write(`${message}\n`);

/** Both ceilings at this configuration's shapes, from the ceiling process. */
async function measureCeilings(child, config) {
  const shapes = { ...config, gates: GATES[config.cell] };
  const tfjs = await child.request({ op: 'tfjs', shapes: ceilingShapes(shapes) });
  const kernel = await child.request({ op: 'kernel', shapes: kernelGemmShapes(shapes) });
  return { tfjs, kernel };
}

/** One configuration (cell, hidden): warm-up, interleaved rounds, splits and ceilings; per-contender results. */
async function runConfiguration(config, picked, rounds, roundSeconds) {
  const running = [];
  const ceilingChild = picked.some((c) => c.engine === 'tfjs-wasm') ? startCeilingChild() : null;
  try {
    for (const contender of picked) running.push({ contender, child: contender.start(), rates: [], peakRss: 0 });
    for (const entry of running) {
      // Warm-up, alone on the machine; it also sizes the rounds.
      entry.setup = await entry.child.request({ op: 'setup', ...config });
      if (entry.contender.engine === 'pytorch') entry.info = await entry.child.request({ op: 'info' });
      entry.steps = Math.min(MAX_STEPS_PER_ROUND, Math.max(1, Math.ceil(roundSeconds / entry.setup.stepSeconds)));
    }
    const ceilings = ceilingChild ? [await measureCeilings(ceilingChild, config)] : [];
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < running.length; i++) {
        const entry = running[(round + i) % running.length];
        const answer = await entry.child.request({ op: 'round', steps: entry.steps, batch: config.batch });
        entry.rates.push(answer.seqPerSec);
        entry.peakRss = Math.max(entry.peakRss, answer.maxRssMiB);
      }
      progress(`  round ${round + 1}/${rounds}: ${running.map((e) => `${e.contender.name} ${e.rates.at(-1).toFixed(1)}`).join(', ')} seq/s`);
    }
    // After the rounds, so the peak memory above is the training's alone.
    for (const entry of running.filter((e) => e.contender.argv?.[0] === 'unfold')) {
      entry.split = await entry.child.request({ op: 'split', steps: Math.max(1, Math.ceil(entry.steps / 2)), repeats: SPLIT_REPEATS });
    }
    if (ceilingChild) ceilings.push(await measureCeilings(ceilingChild, config));
    return { running, ceilings };
  } finally {
    await Promise.all([...running.map((entry) => entry.child.close()), ceilingChild?.close()]);
  }
}

/**
 * Folds one configuration's ceiling measurements into `best`: per slot (tfjs, or a kernel build) the best
 * shape's rate with its shape, and every shape's best rate (byShape); `best.refused` the builds not run.
 */
function mergeCeilings(best, measured) {
  const add = (slot, rate, about) => {
    const key = `${rate.name ? `${rate.name} ` : ''}${rate.shape.join('×')}`;
    const gflops = Number(rate.gflops.toFixed(2));
    const current = (best[slot] ??= { ...about, gflops: 0, shape: null, byShape: {} });
    if (gflops > current.gflops) Object.assign(current, { gflops, shape: key });
    current.byShape[key] = Math.max(current.byShape[key] ?? 0, gflops);
  };
  for (const { tfjs, kernel } of measured) {
    for (const rate of tfjs.rates) add('tfjs', rate, { backend: tfjs.backend, threads: tfjs.threads });
    for (const [build, result] of Object.entries(kernel.builds)) for (const rate of result.byShape) add(build, rate, { threads: kernel.threads });
    for (const refused of kernel.refused) best.refused[refused.build] = refused.reason;
  }
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) return void console.log(USAGE);
  const { picked, skipped } = contenders(options.contenders, options.python);
  for (const skip of skipped) progress(`PyTorch column skipped (${skip.contenders}): ${skip.reason}`);
  const lines = [];
  const pytorchInfo = {};
  const best = { refused: {} };
  for (const cell of options.cells) {
    for (const hidden of options.hidden) {
      const config = { cell, hidden, input: options.input, steps: options.steps, batch: options.batch };
      progress(`${cell} hidden ${hidden}: ${picked.map((c) => c.name).join(', ')}`);
      const result = await runConfiguration(config, picked, options.rounds, options.roundSeconds);
      for (const entry of result.running) if (entry.info) pytorchInfo[entry.contender.name] ??= entry.info;
      mergeCeilings(best, result.ceilings);
      lines.push({ cell, hidden, rows: configurationRows(config, result.running, options) });
    }
  }
  const { tfjs, refused, ...kernel } = best;
  const rows = lines.flatMap((line) => line.rows);
  applyCeilings(rows, { tfjs, kernel }, options);
  const restNotes = lines.flatMap((line) => whereTheRestGoes(line.rows));

  const title = 'Training throughput: unfold, tfjs-layers and PyTorch CPU';
  const extra = {
    config: `input ${options.input}, ${options.steps} steps, batch ${options.batch}, dense head on the last step, MSE, Adam (lr 1e-3), float32; medians of ${options.rounds} interleaved rounds of ≥ ${options.roundSeconds} s per contender, after a warm-up of ≥ 2 steps and ≥ 0.5 s; a fresh process per contender and configuration`,
    contenders: `unfold: the default training path (WebAssembly SIMD kernels, their default thread count); unfold-1t: the same with UNFOLD_KERNEL_THREADS=1; unfold-relaxed: the default path in \`node --experimental-wasm-relaxed-simd\` (the relaxed-SIMD FMA kernels, what Node ≥ 22 runs by default; Node ${process.versions.node} here); unfold-tfjs: UNFOLD_KERNELS=off (the tfjs path); tfjs-layers: tf.layers.lstm/gru + dense, trainOnBatch; all on tfjs-wasm. pytorch-Nt: nn.LSTM/nn.GRU + nn.Linear, torch.set_num_threads(N). GRU: unfold and tfjs-layers reset before the recurrent product, PyTorch after it (same FLOPs)`,
    kernelGemmGflops: Object.keys(kernel).length
      ? { what: 'the GEMM of unfold\'s own WebAssembly kernels (packed B, 4×8 tiles), one thread, per build, best over the training step\'s shapes (as the kernels call them, per thread at half the batch too) and 256³–1024³, warmed up, best of 5 timings, in a process of its own; a kernel row\'s ceilingFraction is of threads × this', ...kernel, ...(Object.keys(refused).length ? { refused } : {}) }
      : 'not measured (no unfold contender)',
    ceiling: tfjs
      ? { what: 'tfjs-wasm matMul (XNNPACK), best over the steps\' shapes and 256³–1024³, warmed up, result read inside the timed region, in a process of its own; the ceiling of the tfjs rows (unfold-tfjs, tfjs-layers)', ...tfjs }
      : 'not measured (no tfjs-wasm contender)',
    whereTheRestGoes: restNotes.length ? restNotes : 'not measured (no unfold kernel contender)',
    flops: 'one training sequence = 3 × forward FLOPs, forward = 2·(I+H)·gates·H·T + 2·H',
    peakRss: 'peakRssMiB: the contender process\'s peak resident set after its warm-up and rounds (Node process.resourceUsage().maxRSS, Python getrusage ru_maxrss); the ceilings run in another process',
    pytorch: Object.keys(pytorchInfo).length ? Object.entries(pytorchInfo).map(([name, info]) => `${name}: ${describeTorch(info)}`).join('; ') : 'not run',
    ...(skipped.length ? { skipped } : {}),
  };
  const document = resultsDocument(title, rows, extra);
  if (options.json) process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  assertWithinCeiling(rows, (row) => `${row.cell} hidden ${row.hidden} ${row.contender}`, (row) => [{ what: `${row.gflops.toFixed(2)} GFLOP/s of ${row.ceilingBasis}`, fraction: row.ceilingFraction }]);
  const names = [...new Set(rows.map((row) => row.contender))];
  if (options.write) {
    writeResults(fileURLToPath(new URL('../results/train-speed', import.meta.url)), title, rows, tableColumns(names), extra, { tableRows: lines });
    progress('wrote tools/bench/results/train-speed.{json,md}');
  }
  if (!options.json) {
    const columns = tableColumns(names);
    console.log(`| ${columns.map((c) => c.label).join(' | ')} |`);
    for (const line of lines) console.log(`| ${columns.map((c) => c.format(line)).join(' | ')} |`);
    for (const [build, ceiling] of Object.entries(kernel)) console.log(`kernel GEMM ceiling (${build}): ${ceiling.gflops.toFixed(2)} GFLOP/s at ${ceiling.shape}, 1 thread`);
    if (tfjs) console.log(`tfjs-wasm matMul ceiling: ${tfjs.gflops.toFixed(2)} GFLOP/s at ${tfjs.shape}, ${tfjs.threads} thread(s)`);
    for (const note of restNotes) console.log(`- ${note}`);
  }
}

try {
  await exitOnCeilingExceeded(main);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(error.message);
  process.exitCode = 2;
}
