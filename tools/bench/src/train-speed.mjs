// Training throughput, side by side in one run: unfold's default training path, unfold forced onto its
// tfjs path (UNFOLD_KERNELS=off), tfjs-layers (tf.layers.lstm/gru + dense) on the same tfjs wasm backend,
// and PyTorch on CPU with 1 and 2 threads when the system Python imports torch. LSTM and GRU at hidden 32,
// 128 and 512; input 32, 64 steps, batch 32, dense head on the last step, MSE, Adam (lr 1e-3), float32.
//
// Method: every contender is its own process (train-speed/protocol.mjs), fresh for each configuration,
// warmed up (≥ 2 steps and ≥ 0.5 s, excluded), then timed in interleaved rounds: each round runs every
// contender once, in a rotated order, for enough steps to last ≥ --round-seconds. The figure is the median
// over rounds. The WebAssembly SIMD GEMM ceiling is tfjs-wasm's matMul (train-speed/matmul-ceiling.mjs) in
// the unfold process, best over the step's shapes and square ones, before and after the rounds; training
// GFLOP/s counts one sequence as 3 × its forward FLOPs. A fraction above 100% of the ceiling is a broken
// measurement: the bench names the row and exits 1 without writing results. It never fails on speed.
//
// Run: `node tools/bench/src/train-speed.mjs [--json] [--quick] ...` (--help lists the options) from the
// repo root after `npm run build` (it imports the built packages). A full run writes
// tools/bench/results/train-speed.{json,md}.
import { fileURLToPath } from 'node:url';
import { median, resultsDocument, writeResults } from './stats.mjs';
import { assertWithinCeiling, exitOnCeilingExceeded } from './sanity.mjs';
import { contenders } from './train-speed/contenders.mjs';
import { ceilingShapes } from './train-speed/matmul-ceiling.mjs';
import { parseOptions, USAGE, UsageError } from './train-speed/options.mjs';

const GATES = { lstm: 4, gru: 3 };
const MAX_STEPS_PER_ROUND = 1000;
const progress = (message) => process.stderr.write(`${message}\n`);

/** Training FLOPs of one sequence: 3 × the forward (gate products over all steps, then the head). */
function flopsPerSequence(cell, H, { input: I, steps: T }) {
  return 3 * (2 * (I + H) * GATES[cell] * H * T + 2 * H);
}

/** One configuration (cell, hidden): warm-up, interleaved rounds and the ceiling; per-contender results. */
async function runConfiguration(config, picked, rounds, roundSeconds) {
  const running = [];
  try {
    for (const contender of picked) running.push({ contender, child: contender.start(), rates: [] });
    const ceilingChild = running.find((r) => r.contender.engine === 'tfjs-wasm')?.child;
    const shapes = ceilingShapes({ ...config, gates: GATES[config.cell] });
    const ceilings = [];
    for (const entry of running) {
      // Warm-up, alone on the machine; it also sizes the rounds.
      entry.setup = await entry.child.request({ op: 'setup', ...config });
      if (entry.contender.engine === 'pytorch') entry.info = await entry.child.request({ op: 'info' });
      entry.steps = Math.min(MAX_STEPS_PER_ROUND, Math.max(1, Math.ceil(roundSeconds / entry.setup.stepSeconds)));
    }
    if (ceilingChild) ceilings.push(await ceilingChild.request({ op: 'ceiling', shapes }));
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < running.length; i++) {
        const entry = running[(round + i) % running.length];
        const answer = await entry.child.request({ op: 'round', steps: entry.steps, batch: config.batch });
        entry.rates.push(answer.seqPerSec);
      }
      progress(`  round ${round + 1}/${rounds}: ${running.map((e) => `${e.contender.name} ${e.rates.at(-1).toFixed(1)}`).join(', ')} seq/s`);
    }
    if (ceilingChild) ceilings.push(await ceilingChild.request({ op: 'ceiling', shapes }));
    const rates = ceilings.flatMap((c) => c.rates.map((rate) => ({ ...rate, threads: c.threads, backend: c.backend }))).sort((a, b) => b.gflops - a.gflops);
    return { running, ceiling: rates[0] ?? null, ceilingRates: rates };
  } finally {
    await Promise.all(running.map((entry) => entry.child.close()));
  }
}

/** The JSON rows of one configuration: one per contender, with the ratios measured in the same rounds. */
function configurationRows(config, running, options) {
  const flops = flopsPerSequence(config.cell, config.hidden, options);
  const rows = running.map(({ contender, rates, steps, setup, info }) => ({
    cell: config.cell,
    hidden: config.hidden,
    contender: contender.name,
    seqPerSec: median(rates),
    roundsSeqPerSec: rates.map((r) => Number(r.toFixed(2))),
    stepsPerRound: steps,
    engine: contender.engine,
    ...(contender.engine === 'pytorch' ? { threads: info.threads, blasCore: info.blas.openblasCore ?? null } : { backend: setup.backend }),
    gflops: (median(rates) * flops) / 1e9,
  }));
  const pytorch = rows.filter((r) => r.engine === 'pytorch').sort((a, b) => b.seqPerSec - a.seqPerSec)[0];
  const layers = rows.find((r) => r.contender === 'tfjs-layers');
  for (const row of rows) {
    row.ratioToPytorchBest = pytorch ? row.seqPerSec / pytorch.seqPerSec : null;
    row.pytorchBest = pytorch?.contender ?? null;
    row.ratioToTfjsLayers = layers ? row.seqPerSec / layers.seqPerSec : null;
  }
  return rows;
}

/** One line on a PyTorch contender: version, threads, its own vector ISA, and which BLAS it called. */
function describeTorch(info) {
  const blas = info.blas;
  const openblas = blas.openblasCore ? `, OpenBLAS core ${blas.openblasCore} (${blas.openblasConfig})` : '';
  const coretype = `OPENBLAS_CORETYPE ${blas.openblasCoretype ?? 'unset'}`;
  return `torch ${info.torch}, ${info.threads} thread(s), CPU capability ${info.cpuCapability}; BLAS ${blas.libraries.join(' + ') || 'none loaded'}${openblas}; ${coretype}`;
}

/** The Markdown table: one line per configuration, a seq/s column per contender, then the ratios. */
function tableColumns(names) {
  const fixed = (value, digits) => (value == null || !Number.isFinite(value) ? '–' : value.toFixed(digits));
  const of = (line, name) => line.rows.find((r) => r.contender === name);
  const ratio = (value) => (value == null ? '–' : `${fixed(value, 2)}×`);
  const fraction = (row) => (row ? `${fixed(row.gflops, 1)} (${fixed(100 * row.ceilingFraction, 0)}%)` : '–');
  return [
    { label: 'cell', format: (line) => line.cell },
    { label: 'hidden', format: (line) => String(line.hidden) },
    ...names.map((name) => ({ label: `${name} seq/s`, format: (line) => fixed(of(line, name)?.seqPerSec, 1) })),
    { label: 'unfold ÷ PyTorch best', format: (line) => ratio(of(line, 'unfold')?.ratioToPytorchBest) },
    { label: 'unfold ÷ tfjs-layers', format: (line) => ratio(of(line, 'unfold')?.ratioToTfjsLayers) },
    { label: 'unfold GFLOP/s (of ceiling)', format: (line) => fraction(of(line, 'unfold')) },
    { label: 'unfold-tfjs GFLOP/s (of ceiling)', format: (line) => fraction(of(line, 'unfold-tfjs')) },
  ];
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) return void console.log(USAGE);
  const { picked, skipped } = contenders(options.contenders, options.python);
  for (const skip of skipped) progress(`PyTorch column skipped (${skip.contenders}): ${skip.reason}`);
  const lines = [];
  const pytorchInfo = {};
  let ceiling = null;
  const byShape = {};
  for (const cell of options.cells) {
    for (const hidden of options.hidden) {
      const config = { cell, hidden, input: options.input, steps: options.steps, batch: options.batch };
      progress(`${cell} hidden ${hidden}: ${picked.map((c) => c.name).join(', ')}`);
      const result = await runConfiguration(config, picked, options.rounds, options.roundSeconds);
      for (const entry of result.running) if (entry.info) pytorchInfo[entry.contender.name] ??= entry.info;
      if (result.ceiling && (!ceiling || result.ceiling.gflops > ceiling.gflops)) ceiling = result.ceiling;
      for (const rate of result.ceilingRates) byShape[rate.shape.join('×')] = Math.max(byShape[rate.shape.join('×')] ?? 0, Number(rate.gflops.toFixed(2)));
      lines.push({ cell, hidden, rows: configurationRows(config, result.running, options) });
    }
  }
  const rows = lines.flatMap((line) => line.rows);
  for (const row of rows) row.ceilingFraction = row.engine === 'tfjs-wasm' && ceiling ? row.gflops / ceiling.gflops : null;

  const title = 'Training throughput: unfold, tfjs-layers and PyTorch CPU';
  const extra = {
    config: `input ${options.input}, ${options.steps} steps, batch ${options.batch}, dense head on the last step, MSE, Adam (lr 1e-3), float32; medians of ${options.rounds} interleaved rounds of ≥ ${options.roundSeconds} s per contender, after a warm-up of ≥ 2 steps and ≥ 0.5 s; a fresh process per contender and configuration`,
    contenders: 'unfold: the default training path; unfold-tfjs: UNFOLD_KERNELS=off (the tfjs path); tfjs-layers: tf.layers.lstm/gru + dense, trainOnBatch; all three on tfjs-wasm. pytorch-Nt: nn.LSTM/nn.GRU + nn.Linear, torch.set_num_threads(N). GRU: unfold and tfjs-layers reset before the recurrent product, PyTorch after it (same FLOPs)',
    ceiling: ceiling
      ? { what: 'WebAssembly SIMD GEMM ceiling: tfjs-wasm matMul (XNNPACK), best over the steps\' shapes and 256³–1024³, warmed up, result read inside the timed region, in the unfold process', gflops: Number(ceiling.gflops.toFixed(2)), shape: ceiling.shape.join('×'), backend: ceiling.backend, threads: ceiling.threads, byShape }
      : 'not measured (no tfjs-wasm contender)',
    flops: 'one training sequence = 3 × forward FLOPs, forward = 2·(I+H)·gates·H·T + 2·H',
    pytorch: Object.keys(pytorchInfo).length ? Object.entries(pytorchInfo).map(([name, info]) => `${name}: ${describeTorch(info)}`).join('; ') : 'not run',
    ...(skipped.length ? { skipped } : {}),
  };
  const document = resultsDocument(title, rows, extra);
  if (options.json) process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  assertWithinCeiling(rows, (row) => `${row.cell} hidden ${row.hidden} ${row.contender}`, (row) => [{ what: `${row.gflops.toFixed(2)} GFLOP/s of the ${ceiling?.gflops.toFixed(2)} GFLOP/s tfjs-wasm matMul ceiling`, fraction: row.ceilingFraction }]);
  const names = [...new Set(rows.map((row) => row.contender))];
  if (options.write) {
    writeResults(fileURLToPath(new URL('../results/train-speed', import.meta.url)), title, rows, tableColumns(names), extra, { tableRows: lines });
    progress('wrote tools/bench/results/train-speed.{json,md}');
  }
  if (!options.json) {
    const columns = tableColumns(names);
    console.log(`| ${columns.map((c) => c.label).join(' | ')} |`);
    for (const line of lines) console.log(`| ${columns.map((c) => c.format(line)).join(' | ')} |`);
    if (ceiling) console.log(`ceiling: tfjs-wasm matMul ${ceiling.gflops.toFixed(2)} GFLOP/s at ${ceiling.shape.join('×')}, ${ceiling.threads} thread(s)`);
  }
}

try {
  await exitOnCeilingExceeded(main);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(error.message);
  process.exitCode = 2;
}
