// The training bench's figures from its measurements: the JSON rows of a configuration, the fraction of
// its ceiling each JavaScript row reaches, where a step's time goes, and the Markdown table.
//
// Ceilings: a row on unfold's WebAssembly kernels (kernelBuild simd or relaxed-simd) is compared with
// `threads` × the one-thread GEMM ceiling of that build (kernel-ceiling.mjs), the most its products could
// sustain; a 2-thread row also gets `ceilingFraction1t`, the fraction of one thread's ceiling (which may
// exceed 1). A row on tfjs (unfold-tfjs, tfjs-layers) is compared with tfjs-wasm's matMul
// (matmul-ceiling.mjs, one thread). `ceilingBasis` names which.
import { median } from '../stats.mjs';

export const GATES = { lstm: 4, gru: 3 };

/** FLOPs of the cell's forward over one sequence: the gate products of all steps. */
const cellForwardFlops = (cell, H, { input: I, steps: T }) => 2 * (I + H) * GATES[cell] * H * T;

/** Training FLOPs of one sequence: 3 × the forward (gate products over all steps, then the head). */
export function flopsPerSequence(cell, H, options) {
  return 3 * (cellForwardFlops(cell, H, options) + 2 * H);
}

const KERNEL_BUILDS = ['simd', 'relaxed-simd'];
const isKernelRow = (row) => KERNEL_BUILDS.includes(row.kernelBuild);

/** The JSON rows of one configuration: one per contender, with the ratios measured in the same rounds. */
export function configurationRows(config, running, options) {
  const flops = flopsPerSequence(config.cell, config.hidden, options);
  const rows = running.map(({ contender, rates, steps, setup, info, peakRss, split }) => ({
    cell: config.cell,
    hidden: config.hidden,
    contender: contender.name,
    seqPerSec: median(rates),
    roundsSeqPerSec: rates.map((r) => Number(r.toFixed(2))),
    stepsPerRound: steps,
    engine: contender.engine,
    ...(contender.engine === 'pytorch'
      ? { threads: info.threads, blasCore: info.blas.openblasCore ?? null }
      : { backend: setup.backend, ...(setup.kernelBuild ? { kernelBuild: setup.kernelBuild, threads: setup.threads } : {}) }),
    gflops: (median(rates) * flops) / 1e9,
    peakRssMiB: Number(peakRss.toFixed(1)),
    ...(split ? { split: { stepMs: 1000 * split.stepSeconds, sequenceMs: 1000 * split.sequenceSeconds, repeats: split.repeats } } : {}),
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

/** The ceiling a row is compared with, in GFLOP/s, and what it is; null for PyTorch or an unmeasured ceiling. */
function ceilingOf(row, ceilings) {
  if (isKernelRow(row)) {
    const one = ceilings.kernel?.[row.kernelBuild]?.gflops;
    return one ? { gflops: row.threads * one, oneThread: one, basis: `kernel GEMM (${row.kernelBuild}) × ${row.threads} thread(s)` } : null;
  }
  if (row.engine === 'tfjs-wasm' && ceilings.tfjs) return { gflops: ceilings.tfjs.gflops, basis: `tfjs-wasm matMul, ${ceilings.tfjs.threads} thread(s)` };
  return null;
}

/**
 * Sets ceilingFraction, ceilingBasis (and ceilingFraction1t on 2-thread kernel rows) on every row, and
 * completes each split with the time the sequence's products would take at the row's ceiling.
 * `ceilings`: { kernel: { [build]: { gflops } }, tfjs: { gflops, threads } }, either possibly missing.
 */
export function applyCeilings(rows, ceilings, options) {
  for (const row of rows) {
    const ceiling = ceilingOf(row, ceilings);
    row.ceilingFraction = ceiling ? row.gflops / ceiling.gflops : null;
    row.ceilingBasis = ceiling?.basis ?? null;
    if (ceiling?.oneThread && row.threads > 1) row.ceilingFraction1t = row.gflops / ceiling.oneThread;
    if (row.split && ceiling) {
      const flops = 3 * cellForwardFlops(row.cell, row.hidden, options) * options.batch;
      row.split.gemmAtCeilingMs = (1000 * flops) / (ceiling.gflops * 1e9);
    }
  }
}

const ms = (value) => `${value.toFixed(1)} ms`;
const share = (part, whole) => `${((100 * part) / whole).toFixed(0)}%`;

/**
 * Where the rest goes, for one configuration: for each kernel row, how its step splits into the products
 * at the ceiling, the rest of the sequence op, and what runs outside it; then the tfjs path's sequence op.
 */
export function whereTheRestGoes(rows) {
  const tfjs = rows.find((r) => r.contender === 'unfold-tfjs' && r.split);
  const lines = rows.filter((r) => isKernelRow(r) && r.split?.gemmAtCeilingMs).map((row) => {
    const { stepMs, sequenceMs, gemmAtCeilingMs } = row.split;
    const inside = Math.max(0, sequenceMs - gemmAtCeilingMs);
    const outside = Math.max(0, stepMs - sequenceMs);
    const noise = sequenceMs > stepMs ? ` (the sequence op alone timed ${ms(sequenceMs - stepMs)} longer than the whole step: machine noise)` : '';
    const versus = tfjs ? `; the tfjs path's sequence op takes ${ms(tfjs.split.sequenceMs)} (${(tfjs.split.sequenceMs / sequenceMs).toFixed(1)}× the kernels'), its step ${ms(tfjs.split.stepMs)}` : '';
    return (
      `${row.cell} ${row.hidden} ${row.contender} (${row.kernelBuild}, ${row.threads} thread(s)) reaches ${share(row.ceilingFraction, 1)} of ${row.ceilingBasis}. ` +
      `Its step, ${ms(stepMs)}: the cell's products at that ceiling ${ms(gemmAtCeilingMs)} (${share(gemmAtCeilingMs, stepMs)}); ` +
      `the rest of the sequence op ${ms(inside)} (${share(inside, stepMs)}: gate elementwise work, products below the ceiling at these shapes, copies between tfjs and WebAssembly memory${row.threads > 1 ? ', the hand-offs to the second thread' : ''}); ` +
      `outside the sequence op ${ms(outside)} (${share(outside, stepMs)}: head, loss, Adam, gradient norm, tfjs bookkeeping)${noise}${versus}`
    );
  });
  return lines;
}

/** One line on a PyTorch contender: version, threads, its own vector ISA, and which BLAS it called. */
export function describeTorch(info) {
  const blas = info.blas;
  const openblas = blas.openblasCore ? `, OpenBLAS core ${blas.openblasCore} (${blas.openblasConfig})` : '';
  const coretype = `OPENBLAS_CORETYPE ${blas.openblasCoretype ?? 'unset'}`;
  return `torch ${info.torch}, ${info.threads} thread(s), CPU capability ${info.cpuCapability}; BLAS ${blas.libraries.join(' + ') || 'none loaded'}${openblas}; ${coretype}`;
}

/** The Markdown table: one line per configuration, a seq/s column per contender, the ratios, ceilings and peak memory. */
export function tableColumns(names) {
  const fixed = (value, digits) => (value == null || !Number.isFinite(value) ? '–' : value.toFixed(digits));
  const of = (line, name) => line.rows.find((r) => r.contender === name);
  const ratio = (value) => (value == null ? '–' : `${fixed(value, 2)}×`);
  const fraction = (row) => (row ? `${fixed(row.gflops, 1)} (${fixed(100 * row.ceilingFraction, 0)}%)` : '–');
  const unfolds = names.filter((name) => name.startsWith('unfold'));
  const memory = names.filter((name) => name === 'unfold' || name === 'unfold-tfjs' || name === 'tfjs-layers' || name === 'pytorch-1t');
  return [
    { label: 'cell', format: (line) => line.cell },
    { label: 'hidden', format: (line) => String(line.hidden) },
    ...names.map((name) => ({ label: `${name} seq/s`, format: (line) => fixed(of(line, name)?.seqPerSec, 1) })),
    { label: 'unfold ÷ PyTorch best', format: (line) => ratio(of(line, 'unfold')?.ratioToPytorchBest) },
    { label: 'unfold ÷ tfjs-layers', format: (line) => ratio(of(line, 'unfold')?.ratioToTfjsLayers) },
    ...unfolds.map((name) => ({ label: `${name} GFLOP/s (of ceiling)`, format: (line) => fraction(of(line, name)) })),
    ...memory.map((name) => ({ label: `${name} peak RSS MiB`, format: (line) => fixed(of(line, name)?.peakRssMiB, 0) })),
  ];
}
