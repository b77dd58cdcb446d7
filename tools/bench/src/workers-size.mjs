// Size of the Cloudflare Workers bundle of the edge app (issue 6): `wrangler deploy --dry-run --outdir` on
// apps/edge/src/entries/workers.ts with one unfold-exported LSTM (input 32, hidden 128, the size the other
// benchmarks use) bundled as a `Data` module, as built and minified. Records wrangler's own "Total Upload /
// gzip" line (gzip is what Cloudflare's size limit counts), a per-module breakdown (raw, gzip -9),
// and what it takes to fit Cloudflare's published limits. Reports; never fails on size.
//
// Run: `node tools/bench/src/workers-size.mjs` from the repo root (no network: wrangler's metrics, `cf`
// lookups and update check are turned off). Writes tools/bench/results/workers-size.{json,md}.
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { packageVersion } from './machine.mjs';
import { writeResults } from './stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const scratch = join(root, '.tmp', 'workers-size');
const KiB = 1024;
const MiB = 1024 * 1024;
/** Cloudflare's published Worker size limits, counted after (gzip) compression; developers.cloudflare.com/workers/platform/limits. */
const LIMITS = { free: 3 * MiB, paid: 10 * MiB };
const WRANGLER_ENV = { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true' };

/** The unfold packages needed to export a model, bundled from source (as onnx-speed.mjs does). */
async function loadUnfold() {
  const outfile = join(scratch, 'unfold.mjs');
  const contents = [
    "export { createRegistry, initWeights, resolveModel } from '@unfold/core';",
    "export { heads, layers } from '@unfold/architectures';",
    "export { cells } from '@unfold/cells/all';",
    "export { exportModel } from '@unfold/onnx';",
  ].join('\n');
  await build({ stdin: { contents, resolveDir: root, loader: 'ts' }, bundle: true, format: 'esm', platform: 'node', target: 'es2022', conditions: ['@unfold/source'], external: ['@tensorflow/*', 'onnxruntime-*'], outfile, logLevel: 'error' });
  return import(pathToFileURL(outfile).href);
}

/** Writes the LSTM export into `folder` and returns its size. */
async function writeModel(folder) {
  const unfold = await loadUnfold();
  const registry = unfold.createRegistry([...unfold.cells, ...unfold.layers, ...unfold.heads]);
  const spec = { kind: 'recurrent', children: { cell: { kind: 'lstm', config: { inputSize: 32, hiddenSize: 128 } } } };
  const bytes = unfold.exportModel(registry, { spec, weights: unfold.initWeights(unfold.resolveModel(registry, spec), 1) });
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'lstm-32x128.onnx'), bytes);
  return bytes.length;
}

function files(dir) {
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
}

/** One `wrangler deploy --dry-run --outdir`: wrangler's totals and each uploaded module's sizes. */
async function dryRun(label, config, extraArgs) {
  const outdir = join(scratch, `dist-${label}`);
  rmSync(outdir, { recursive: true, force: true });
  const args = [join(root, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '-c', config, '--dry-run', '--outdir', outdir, ...extraArgs];
  const started = performance.now();
  const { stdout, stderr } = await promisify(execFile)(process.execPath, args, { cwd: root, env: { ...process.env, ...WRANGLER_ENV }, maxBuffer: 16 * MiB });
  const seconds = (performance.now() - started) / 1000;
  const match = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(`${stdout}\n${stderr}`);
  if (!match) throw new Error(`wrangler printed no "Total Upload" line:\n${stdout}\n${stderr}`);
  const modules = files(outdir)
    .filter((file) => !file.endsWith('.map') && !file.endsWith('README.md'))
    .map((file) => {
      const data = readFileSync(file);
      const name = file.slice(outdir.length + 1).replace(/^[0-9a-f]{40}-/, '');
      return {
        module: name,
        bytes: data.length,
        gzipBytes: gzipSync(data, { level: 9 }).length,
      };
    })
    .sort((a, b) => b.bytes - a.bytes);
  return { variant: label, args: extraArgs.join(' ') || '(none)', wranglerTotalBytes: Math.round(Number(match[1]) * KiB), wranglerGzipBytes: Math.round(Number(match[2]) * KiB), seconds, modules };
}

const mb = (bytes) => `${(bytes / MiB).toFixed(2)} MiB`;
const kb = (bytes) => `${(bytes / KiB).toFixed(1)} KiB`;

mkdirSync(scratch, { recursive: true });
const { writeWorkerProject } = await import(pathToFileURL(join(root, 'apps/edge/workers/models.mjs')).href);
const modelBytes = await writeModel(join(scratch, 'models'));
const { config } = writeWorkerProject(join(scratch, 'models'), join(scratch, 'worker'));
const wranglerVersion = packageVersion('wrangler');
const ortVersion = packageVersion('onnxruntime-web');

const runs = [await dryRun('as-built', config, []), await dryRun('minified', config, ['--minify'])];
const built = runs[0];
const wasm = built.modules.find((m) => m.module.endsWith('.wasm'));
const model = built.modules.find((m) => m.module.endsWith('.onnx'));
const script = built.modules.find((m) => m.module.endsWith('.js'));
const minified = runs[1].modules.find((m) => m.module.endsWith('.js'));
const overFree = built.wranglerGzipBytes - LIMITS.free;
const paidRoom = LIMITS.paid - built.wranglerGzipBytes;

const fit = {
  limits: `Cloudflare counts the Worker size after gzip: ${mb(LIMITS.free)} on Workers Free, ${mb(LIMITS.paid)} on Workers Paid (developers.cloudflare.com/workers/platform/limits; re-check, the page changes). Memory 128 MB on both.`,
  free: overFree > 0
    ? `Does not fit: ${mb(built.wranglerGzipBytes)} gzipped is ${mb(overFree)} over ${mb(LIMITS.free)}, and onnxruntime-web's WASM alone is ${mb(wasm.gzipBytes)} gzipped (${Math.round((100 * wasm.gzipBytes) / built.wranglerGzipBytes)}% of the upload), so no change to our code or models can fit it; minifying saves only ${kb(script.gzipBytes - minified.gzipBytes)}. Fitting needs a smaller ORT WASM: a custom onnxruntime-web build with --minimal_build and only the operators the exports use (--include_ops_by_config: LSTM, GRU, RNN, Gemm/MatMul, Transpose, Squeeze/Unsqueeze, Gather, Softmax, ...) without threads, or a runtime that does not use ORT on Workers. Separately, the Free plan's 10 ms CPU per request is below onnxruntime-web's first-session initialisation (~0.4–1.2 s wall in workerd here), so the first request on a cold isolate would be cut off.`
    : `Fits with ${mb(-overFree)} to spare.`,
  paid: paidRoom > 0
    ? `Fits with ${mb(paidRoom)} to spare for models: about ${Math.floor(paidRoom / model.gzipBytes)} more models of this size (${kb(model.gzipBytes)} gzipped each; float32 weights barely compress). Larger models belong in R2/KV and fetched, not bundled.`
    : `Does not fit: ${mb(-paidRoom)} over.`,
};

const rows = runs.flatMap((run) => [
  { variant: run.variant, module: 'total (wrangler)', bytes: run.wranglerTotalBytes, gzipBytes: run.wranglerGzipBytes },
  ...run.modules.map((m) => ({ variant: run.variant, ...m })),
]);
writeResults(
  join(root, 'tools/bench/results/workers-size'),
  'Workers bundle size (wrangler deploy --dry-run)',
  rows,
  [
    { label: 'variant', format: (r) => r.variant },
    { label: 'module', format: (r) => r.module },
    { label: 'raw', format: (r) => kb(r.bytes) },
    { label: 'gzip', format: (r) => kb(r.gzipBytes) },
    { label: 'gzip vs free 3 MiB', format: (r) => (r.module.startsWith('total') ? `${((100 * r.gzipBytes) / LIMITS.free).toFixed(0)}%` : '') },
    { label: 'gzip vs paid 10 MiB', format: (r) => (r.module.startsWith('total') ? `${((100 * r.gzipBytes) / LIMITS.paid).toFixed(0)}%` : '') },
  ],
  { wrangler: wranglerVersion, onnxruntimeWeb: ortVersion, model: `unfold LSTM export, input 32, hidden 128 (${kb(modelBytes)})`, fitsFree: overFree <= 0, fitsPaid: paidRoom > 0, ...fit, note: 'gzip column per module: gzip -9 here; wrangler\'s total gzip is its own (what Cloudflare counts)' },
);
console.log(`workers bundle: ${mb(built.wranglerTotalBytes)} raw, ${mb(built.wranglerGzipBytes)} gzip (wrangler ${wranglerVersion}); free plan: ${overFree > 0 ? 'over' : 'fits'}; paid plan: ${paidRoom > 0 ? 'fits' : 'over'}`);
console.log('wrote tools/bench/results/workers-size.{json,md}');
