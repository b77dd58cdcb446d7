// Size of the Cloudflare Workers bundles of the edge app (issues 6 and 18): `wrangler deploy --dry-run
// --outdir` on both Workers, the compact engine's (apps/edge/workers/wrangler.json, entries/workers.ts) and
// onnxruntime-web's (wrangler.ort.json, entries/workers-ort.ts), each with one unfold-exported LSTM (input
// 32, hidden 128, the size the other benchmarks use) bundled as a `Data` module, as built and minified.
// Records wrangler's own "Total Upload / gzip" line (gzip is what Cloudflare's size limit counts), a
// per-module breakdown (raw, gzip -9), the compact engine package alone (esbuild, minified, gzip -9) with
// its WebAssembly part listed separately, and what fits Cloudflare's published limits. Issue 18's target:
// the compact Worker with the model ≤ 1 MB gzipped. Reports; never fails on size.
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
import { importFromSource } from './from-source.mjs';
import { packageVersion } from './machine.mjs';
import { writeResults } from './stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const scratch = join(root, '.tmp', 'workers-size');
const KiB = 1024;
const MiB = 1024 * 1024;
/** Cloudflare's published Worker size limits, counted after (gzip) compression; developers.cloudflare.com/workers/platform/limits. */
const LIMITS = { free: 3 * MiB, paid: 10 * MiB };
const WRANGLER_ENV = { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true' };

/** The unfold packages needed to export a model, bundled from source. */
function loadUnfold() {
  return importFromSource([
    "export { createRegistry, initWeights, resolveModel } from '@unfold/core';",
    "export { heads, layers } from '@unfold/architectures';",
    "export { cells } from '@unfold/cells/all';",
    "export { exportModel } from '@unfold/onnx';",
  ], join(scratch, 'unfold.mjs'));
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

/**
 * @unfold/engine alone, as a Worker or a browser page would bundle it: esbuild, minified, ESM, from source
 * with what it imports (@unfold/runtime/proto, @unfold/cells/kernels). Its WebAssembly part is what it
 * embeds as base64 modules (strings starting `AGFzbQ`, "\0asm": the kernels' builds; the compact Worker
 * uses none of them, it imports kernels-simd.wasm, listed as a module of its own).
 */
async function enginePackage() {
  const result = await build({ entryPoints: [join(root, 'packages/engine/src/index.ts')], bundle: true, minify: true, format: 'esm', platform: 'neutral', target: 'es2022', conditions: ['@unfold/source'], write: false, logLevel: 'error' });
  const code = result.outputFiles[0].contents;
  const text = new TextDecoder().decode(code);
  const modules = [...text.matchAll(/["'`](AGFzbQ[A-Za-z0-9+/=]+)["'`]/g)].map((m) => m[1]);
  const wasmText = modules.join('');
  return {
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    wasmModules: modules.length,
    wasmBytes: modules.reduce((sum, m) => sum + Buffer.from(m, 'base64').length, 0),
    wasmBase64Bytes: wasmText.length,
    wasmGzipBytes: modules.length ? gzipSync(Buffer.from(wasmText), { level: 9 }).length : 0,
  };
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
const wranglerVersion = packageVersion('wrangler');
const ortVersion = packageVersion('onnxruntime-web');
/** Issue 18: the compact Worker with the model, gzipped, at most this. */
const TARGET = 1000 * 1000;

const workers = [];
for (const engine of ['compact', 'ort-web']) {
  const { config } = writeWorkerProject(join(scratch, 'models'), join(scratch, `worker-${engine}`), {}, engine);
  const runs = [await dryRun(`${engine}, as built`, config, []), await dryRun(`${engine}, minified`, config, ['--minify'])];
  workers.push({ engine, runs, built: runs[0], minified: runs[1] });
}
const engine = await enginePackage();
const compact = workers[0];
const ortWorker = workers[1];
const wasm = ortWorker.built.modules.find((m) => m.module.endsWith('.wasm'));
const model = ortWorker.built.modules.find((m) => m.module.endsWith('.onnx'));
const ortScript = ortWorker.built.modules.find((m) => m.module.endsWith('.js'));
const ortMinified = ortWorker.minified.modules.find((m) => m.module.endsWith('.js'));
const fits = (bytes) => ({ free: bytes <= LIMITS.free, paid: bytes <= LIMITS.paid });

const fit = {
  limits: `Cloudflare counts the Worker size after gzip: ${mb(LIMITS.free)} on Workers Free, ${mb(LIMITS.paid)} on Workers Paid (developers.cloudflare.com/workers/platform/limits; re-check, the page changes). Memory 128 MB on both.`,
  compact: `The compact Worker with the model: ${kb(compact.built.wranglerGzipBytes)} gzipped as built, ${kb(compact.minified.wranglerGzipBytes)} minified; issue 18's target ≤ 1 MB (${kb(TARGET)}): ${compact.built.wranglerGzipBytes <= TARGET ? 'met' : 'missed'}; ${fits(compact.built.wranglerGzipBytes).free ? `fits the free plan with ${mb(LIMITS.free - compact.built.wranglerGzipBytes)} to spare for more models (about ${Math.floor((LIMITS.free - compact.built.wranglerGzipBytes) / model.gzipBytes)} of this size)` : 'over the free plan'}. Its script is the handler, @unfold/runtime and the engine; the model's float32 weights barely compress.`,
  ortWeb: fits(ortWorker.built.wranglerGzipBytes).free
    ? `The onnxruntime-web Worker fits the free plan: ${mb(ortWorker.built.wranglerGzipBytes)}.`
    : `The onnxruntime-web Worker does not fit the free plan: ${mb(ortWorker.built.wranglerGzipBytes)} gzipped is ${mb(ortWorker.built.wranglerGzipBytes - LIMITS.free)} over ${mb(LIMITS.free)}; onnxruntime-web's WASM alone is ${mb(wasm.gzipBytes)} gzipped (${Math.round((100 * wasm.gzipBytes) / ortWorker.built.wranglerGzipBytes)}% of the upload), minifying saves ${kb(ortScript.gzipBytes - ortMinified.gzipBytes)}. It fits the paid plan with ${mb(LIMITS.paid - ortWorker.built.wranglerGzipBytes)} to spare: the Worker for files outside the compact engine's set.`,
  engine: `@unfold/engine ${packageVersion('@unfold/engine')} alone (esbuild --bundle --minify, ESM, from source with what it imports: @unfold/runtime/proto and @unfold/cells/kernels): ${kb(engine.bytes)} raw, ${kb(engine.gzipBytes)} gzipped; WebAssembly part: ${engine.wasmModules ? `${engine.wasmModules} module(s), ${kb(engine.wasmBytes)} as WebAssembly, ${kb(engine.wasmBase64Bytes)} as the base64 text shipped, ${kb(engine.wasmGzipBytes)} of that gzipped` : 'none (the engine is TypeScript only at this commit)'}.`,
};

const rows = [
  ...workers.flatMap(({ runs }) =>
    runs.flatMap((run) => [
      { variant: run.variant, module: 'total (wrangler)', bytes: run.wranglerTotalBytes, gzipBytes: run.wranglerGzipBytes },
      ...run.modules.map((m) => ({ variant: run.variant, ...m })),
    ]),
  ),
  { variant: '@unfold/engine package', module: 'index (minified, all of it)', bytes: engine.bytes, gzipBytes: engine.gzipBytes },
  { variant: '@unfold/engine package', module: 'of which WebAssembly (base64 text)', bytes: engine.wasmBase64Bytes, gzipBytes: engine.wasmGzipBytes },
];
writeResults(
  join(root, 'tools/bench/results/workers-size'),
  'Workers bundle size (wrangler deploy --dry-run): the compact engine\'s Worker and onnxruntime-web\'s',
  rows,
  [
    { label: 'variant', format: (r) => r.variant },
    { label: 'module', format: (r) => r.module },
    { label: 'raw', format: (r) => kb(r.bytes) },
    { label: 'gzip', format: (r) => kb(r.gzipBytes) },
    { label: 'gzip vs free 3 MiB', format: (r) => (r.module.startsWith('total') ? `${((100 * r.gzipBytes) / LIMITS.free).toFixed(0)}%` : '') },
    { label: 'gzip vs paid 10 MiB', format: (r) => (r.module.startsWith('total') ? `${((100 * r.gzipBytes) / LIMITS.paid).toFixed(0)}%` : '') },
  ],
  {
    wrangler: wranglerVersion,
    onnxruntimeWeb: ortVersion,
    model: `unfold LSTM export, input 32, hidden 128 (${kb(modelBytes)})`,
    compactWithinTarget: compact.built.wranglerGzipBytes <= TARGET,
    compactFitsFree: fits(compact.built.wranglerGzipBytes).free,
    ortWebFitsFree: fits(ortWorker.built.wranglerGzipBytes).free,
    ortWebFitsPaid: fits(ortWorker.built.wranglerGzipBytes).paid,
    ...fit,
    note: 'gzip column per module: gzip -9 here; wrangler\'s total gzip is its own (what Cloudflare counts)',
  },
);
for (const { engine: name, built } of workers) console.log(`${name} Worker: ${mb(built.wranglerTotalBytes)} raw, ${kb(built.wranglerGzipBytes)} gzip (wrangler ${wranglerVersion})`);
console.log(fit.engine);
console.log('wrote tools/bench/results/workers-size.{json,md}');
