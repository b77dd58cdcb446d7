// Serving speed of the edge app (issue 6, "Recorded"): an unfold LSTM export (input 32, hidden 128, dense head,
// readout at the last step) served on 127.0.0.1.
//   1. Load test: the Node entry (onnxruntime-node) under autocannon for a fixed time at 1 and 8 connections,
//      POST /models/<name>/predict with one sequence of 64 steps × 32 features (API.md's request shape):
//      requests/s, p50/p99 latency, non-2xx. Run twice, through the entry's own flag: --threads 1 (its
//      default: one intra-op thread per model) and --threads 2 (one per core here, onnxruntime's own choice
//      when it is not told).
//   2. Cold start, each runtime with the compact engine (@unfold/engine) beside onnxruntime, in one run:
//      the Node entry (compact, onnxruntime-node, onnxruntime-web), `unfold serve` (the built command through
//      its launcher: --engine compact, and its default onnxruntime-node), Bun and Deno (compact,
//      onnxruntime-web) and workerd (`wrangler dev`: the compact Worker and the onnxruntime-web Worker):
//      time from spawn to the first 200 from GET /health, and to the first 200 from predict (sent as soon
//      as /health answers), plus that first predict's own latency and the next one's. Medians of
//      COLD_STARTS starts, interleaved across runtimes, after one untimed start each (warms the disk cache).
//      The Node/Bun/Deno entries and `unfold serve` load their models (engine session included) before
//      listening; the Workers load on the first predict, so there the first predict carries the engine's
//      start. Targets (issue 18, compact): Node and `unfold serve` ≤ 120 ms, Deno and Bun ≤ 150 ms,
//      workerd ≤ 300 ms to the first answered predict.
// Autocannon runs in this process: client and server share the machine's 2 cores.
//
// Run: `node tools/bench/src/serve-speed.mjs` from the repo root (about 3 minutes). The entries and unfold
// are bundled from source with @unfold/testing's bundleFromSource, as the edge e2e tests do; `unfold serve`
// is the built command, so the bench first builds it and the packages it loads (tsup in each, SERVE_PACKAGES).
// Env: LOAD_SECONDS (default 10), COLD_STARTS (default 3). Writes tools/bench/results/serve-speed.{json,md}.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { build } from 'esbuild';
import { packageVersion } from './machine.mjs';
import { freePort } from './processes.mjs';
import { bareLauncher, buildCli, cliLauncher, entryLauncher, start, wranglerLauncher } from './serve-launchers.mjs';
import { median, writeResults } from './stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const scratch = join(root, '.tmp', 'serve-speed');
const I = 32, H = 128, T = 64;
const MODEL = 'lstm-32x128';
const LOAD_SECONDS = Number(process.env.LOAD_SECONDS ?? 10);
const CONNECTIONS = [1, 8];
const COLD_STARTS = Math.max(1, Number(process.env.COLD_STARTS ?? 3));
const WORKERD_TIMEOUT_MS = 90_000;
/** One wrangler start slower than this and workerd gets only the one start. */
const WORKERD_SLOW_MS = 20_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------------------------
// Bundles and the model.

/** @unfold/testing's bundleFromSource, itself bundled from its one source file (the package index imports vitest). */
async function loadBundler() {
  const outfile = join(scratch, 'bundle-from-source.mjs');
  await build({ entryPoints: [join(root, 'packages/testing/src/bundle.ts')], bundle: true, format: 'esm', platform: 'node', packages: 'external', outfile, logLevel: 'error' });
  return (await import(pathToFileURL(outfile).href)).bundleFromSource;
}

/** Writes the LSTM export into `folder`; returns its size in bytes. */
async function writeModel(unfold, folder) {
  await unfold.setupBackend({ backend: 'cpu' });
  const registry = unfold.createRegistry([...unfold.cells, ...unfold.layers, ...unfold.heads]);
  const spec = {
    kind: 'sequence-model',
    config: { readout: 'last' },
    children: { body: { kind: 'lstm', config: { inputSize: I, hiddenSize: H } }, output: { kind: 'dense', config: { inputSize: H, outputSize: I } } },
  };
  const model = unfold.createModel(registry, spec, { seed: 1 });
  const bytes = unfold.exportModel(registry, model.toModelData());
  model.dispose();
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, `${MODEL}.onnx`), bytes);
  return bytes.length;
}

/** One sequence of T steps × I features, deterministic (an LCG), 4 decimals: `{ "inputs": [sequence] }`. */
function predictBody() {
  let s = 7;
  const next = () => Math.round(((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 * 2 - 1) * 1e4) / 1e4;
  return JSON.stringify({ inputs: [Array.from({ length: T }, () => Array.from({ length: I }, next))] });
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP.
const JSON_HEADERS = { 'content-type': 'application/json' };

async function request(url, init = {}, timeoutMs = 60_000) {
  const started = performance.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  return { status: response.status, text, ms: performance.now() - started };
}

/** Polls GET /health every 10 ms until a 200; returns ms since `t0`, or throws with the server's output. */
async function waitHealthy(url, server, t0, timeoutMs) {
  while (performance.now() - t0 < timeoutMs) {
    if (server.exitCode() !== undefined) throw new Error(`exited (${server.exitCode()}) before answering /health:\n${server.output().slice(-2000)}`);
    try {
      if ((await request(`${url}/health`, {}, 2000)).status === 200) return performance.now() - t0;
    } catch {
      // not listening yet
    }
    await sleep(10);
  }
  throw new Error(`no 200 from /health within ${timeoutMs / 1000} s:\n${server.output().slice(-2000)}`);
}

/** A predict answer for our model: 200 and one output row of I numbers (readout `last`). */
function checkPredict(answer, where) {
  const row = answer.status === 200 ? JSON.parse(answer.text).outputs?.[0]?.[0] : undefined;
  if (!Array.isArray(row) || row.length !== I || !row.every(Number.isFinite)) throw new Error(`${where}: unexpected predict answer ${answer.status} ${answer.text.slice(0, 300)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Load test.

/** The q-quantile (0..1) of sorted values, nearest rank. */
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];

/**
 * Runs autocannon once. Its own latency histogram stores whole milliseconds (truncated), too coarse at ~1 ms,
 * so p50/p99/mean come from its per-response `responseTime` events (hrtime, fractional ms), 2xx only as
 * autocannon counts them; requests/s and the non-2xx count are autocannon's.
 */
function cannon(url, body, connections, seconds) {
  const times = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url: `${url}/models/${MODEL}/predict`, method: 'POST', headers: JSON_HEADERS, body, connections, pipelining: 1, duration: seconds }, (error, result) => {
      if (error) return reject(error);
      times.sort((a, b) => a - b);
      resolve({
        connections,
        seconds,
        requests: result.requests.total,
        requestsPerSecond: result.requests.average,
        p50Ms: quantile(times, 0.5),
        p99Ms: quantile(times, 0.99),
        meanMs: times.reduce((a, b) => a + b, 0) / times.length,
        autocannonP50Ms: result.latency.p50,
        autocannonP99Ms: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        statusCodes: result.statusCodeStats,
      });
    });
    instance.on('response', (client, status, bytes, responseTime) => status >= 200 && status < 300 && times.push(responseTime));
  });
}

/** Threads of a process (Linux /proc): the difference between the two Node variants is onnxruntime's pool. */
function threadsOf(pid) {
  try {
    return Number(/Threads:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  } catch {
    return null;
  }
}

/**
 * The load test of several server variants, interleaved: all are started (an idle server costs nothing),
 * probed and warmed up; then for each connection count every variant runs in turn, so a change in the
 * machine's other load hits them alike and their ratio holds within the run.
 */
async function loadTests(variants, body) {
  const servers = [];
  try {
    for (const { variant, command, args } of variants) {
      const port = await freePort();
      const server = start(command, args.map((a) => (a === '$PORT' ? String(port) : a)));
      const url = `http://127.0.0.1:${port}`;
      servers.push({ variant, server, url });
      await waitHealthy(url, server, performance.now(), 60_000);
      const probe = await request(`${url}/models/${MODEL}/predict`, { method: 'POST', headers: JSON_HEADERS, body });
      checkPredict(probe, variant);
      await cannon(url, body, 8, 2); // warm-up, not recorded
    }
    const rows = [];
    for (const connections of CONNECTIONS) {
      for (const { variant, server, url } of servers) {
        const row = { variant, threads: threadsOf(server.child.pid), ...(await cannon(url, body, connections, LOAD_SECONDS)) };
        if (row.non2xx > 0 || row.errors > 0) {
          // Say why: one more request's answer and the server's last output.
          const after = await request(`${url}/models/${MODEL}/predict`, { method: 'POST', headers: JSON_HEADERS, body }).catch((e) => ({ status: 'error', text: String(e) }));
          row.why = `after the run a predict got ${after.status} ${after.text.slice(0, 200)}; server output: ${server.output().slice(-500)}`;
        }
        rows.push(row);
        console.log(`load ${variant} c=${connections}: ${row.requestsPerSecond.toFixed(0)} req/s, p50 ${row.p50Ms.toFixed(2)} ms, p99 ${row.p99Ms.toFixed(2)} ms, non-2xx ${row.non2xx}, errors ${row.errors}`);
      }
    }
    return rows;
  } finally {
    await Promise.all(servers.map(({ server }) => server.stop()));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Cold start.

/** One start: spawn → /health 200 → predict 200 → a second predict. Times in ms since spawn. */
async function coldStart(runtime, launch, body, timeoutMs) {
  const { url, server, t0 } = await launch();
  try {
    const healthMs = await waitHealthy(url, server, t0, timeoutMs);
    const first = await request(`${url}/models/${MODEL}/predict`, { method: 'POST', headers: JSON_HEADERS, body });
    const predictMs = performance.now() - t0;
    checkPredict(first, runtime);
    const second = await request(`${url}/models/${MODEL}/predict`, { method: 'POST', headers: JSON_HEADERS, body });
    checkPredict(second, runtime);
    return { healthMs, predictMs, firstPredictMs: first.ms, secondPredictMs: second.ms };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Main.
rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch, { recursive: true });
const began = performance.now();
const bundleFromSource = await loadBundler();

// unfold (model creation and export) and the edge app's entryCommand, from source; the runtime entries as the tests bundle them.
writeFileSync(
  join(scratch, 'unfold.ts'),
  [
    "export { createRegistry, setupBackend } from '@unfold/core';",
    "export { heads, layers } from '@unfold/architectures';",
    "export { cells } from '@unfold/cells/all';",
    "export { createModel } from '@unfold/training';",
    "export { exportModel } from '@unfold/onnx';",
    `export { entryCommand } from ${JSON.stringify(join(root, 'apps/edge/src/node.ts'))};`,
  ].join('\n'),
);
const unfold = await import(pathToFileURL(await bundleFromSource(join(scratch, 'unfold.ts'), join(scratch, 'unfold.mjs'))).href);
const entries = {};
for (const runtime of ['node', 'bun', 'deno']) entries[runtime] = await bundleFromSource(join(root, `apps/edge/src/entries/${runtime}.ts`), join(scratch, `${runtime}.mjs`));

const models = join(scratch, 'models');
const modelBytes = await writeModel(unfold, models);
const body = predictBody();
const bodyBytes = Buffer.byteLength(body);

const nodeArgs = (engine, threads) => [entries.node, '--models', models, '--host', '127.0.0.1', '--port', '$PORT', '--engine', engine, '--threads', String(threads)];

console.log(`model ${MODEL}: ${(modelBytes / 1024).toFixed(0)} KiB; predict body ${(bodyBytes / 1024).toFixed(1)} KiB; setup ${((performance.now() - began) / 1000).toFixed(1)} s`);
const load = await loadTests(
  [
    { variant: 'onnxruntime-node, --threads 1', command: process.execPath, args: nodeArgs('ort-node', 1) },
    { variant: 'onnxruntime-node, --threads 2', command: process.execPath, args: nodeArgs('ort-node', 2) },
    { variant: 'compact (@unfold/engine)', command: process.execPath, args: nodeArgs('compact', 1) },
  ],
  body,
);
// The ratio of the two thread counts at each connection count, measured back to back in the same run.
const threadRatios = Object.fromEntries(
  CONNECTIONS.map((connections) => {
    const [one, two] = load.filter((row) => row.connections === connections && row.variant.startsWith('onnxruntime-node'));
    return [`${connections} connection(s)`, `--threads 2 ÷ --threads 1: ${(two.requestsPerSecond / one.requestsPerSecond).toFixed(2)}× req/s, p99 ${(two.p99Ms / one.p99Ms).toFixed(2)}×`];
  }),
);

// Cold starts, interleaved: an untimed start per runtime, then round after round.
const { writeWorkerProject } = await import(pathToFileURL(join(root, 'apps/edge/workers/models.mjs')).href);
const { config: workerConfig } = writeWorkerProject(models, join(scratch, 'worker'), {}, 'compact');
const { config: ortWorkerConfig } = writeWorkerProject(models, join(scratch, 'worker-ort'), {}, 'ort-web');
const buildFailure = buildCli();
/** Issue 18's targets for the compact engine: spawn → first answered predict, ms. */
const TARGETS = { Node: 120, 'unfold serve': 120, Bun: 150, Deno: 150, 'workerd (wrangler dev)': 300 };
const COMPACT = 'compact (@unfold/engine)';
const runtimes = [
  { runtime: 'Node', ort: 'none: a bare node:http server (the floor)', launch: bareLauncher(I), timeoutMs: 60_000 },
  { runtime: 'Node', ort: COMPACT, launch: entryLauncher(unfold, 'node', 'compact', entries.node, models), timeoutMs: 60_000 },
  { runtime: 'Node', ort: 'onnxruntime-node', launch: entryLauncher(unfold, 'node', 'ort-node', entries.node, models), timeoutMs: 60_000 },
  { runtime: 'Node', ort: 'onnxruntime-web', launch: entryLauncher(unfold, 'node', 'ort-web', entries.node, models), timeoutMs: 60_000 },
  { runtime: 'unfold serve', ort: COMPACT, launch: cliLauncher(models, ['--engine', 'compact']), timeoutMs: 60_000, failure: buildFailure },
  { runtime: 'unfold serve', ort: 'onnxruntime-node', launch: cliLauncher(models, []), timeoutMs: 60_000, failure: buildFailure },
  { runtime: 'Bun', ort: COMPACT, launch: entryLauncher(unfold, 'bun', 'compact', entries.bun, models), timeoutMs: 60_000 },
  { runtime: 'Bun', ort: 'onnxruntime-web', launch: entryLauncher(unfold, 'bun', 'ort-web', entries.bun, models), timeoutMs: 60_000 },
  { runtime: 'Deno', ort: COMPACT, launch: entryLauncher(unfold, 'deno', 'compact', entries.deno, models), timeoutMs: 60_000 },
  { runtime: 'Deno', ort: 'onnxruntime-web', launch: entryLauncher(unfold, 'deno', 'ort-web', entries.deno, models), timeoutMs: 60_000 },
  { runtime: 'workerd (wrangler dev)', ort: COMPACT, launch: wranglerLauncher(workerConfig), timeoutMs: WORKERD_TIMEOUT_MS, workerd: true },
  { runtime: 'workerd (wrangler dev)', ort: 'onnxruntime-web', launch: wranglerLauncher(ortWorkerConfig), timeoutMs: WORKERD_TIMEOUT_MS, workerd: true },
].map((r) => ({ failure: null, ...r, starts: [], warmupMs: null }));

for (const r of runtimes) {
  if (r.failure) continue;
  try {
    const warm = await coldStart(r.runtime, r.launch, body, r.timeoutMs);
    r.warmupMs = warm.predictMs;
    // wrangler dev bundles the Worker on every start; when that is slow, the untimed start is the only one.
    if (r.workerd && warm.healthMs > WORKERD_SLOW_MS) r.starts.push(warm), (r.only = `one start only: wrangler dev took ${(warm.healthMs / 1000).toFixed(1)} s`);
  } catch (error) {
    r.failure = `${r.workerd && /within/.test(String(error.message)) ? 'skipped' : 'failed'}: ${String(error.message).split('\n').slice(0, 3).join(' ')}`;
  }
  console.log(`cold ${r.runtime}/${r.ort}: untimed start ${r.failure ?? `${r.warmupMs.toFixed(0)} ms to first predict`}`);
}
for (let round = 0; round < COLD_STARTS; round++) {
  for (const r of runtimes) {
    if (r.failure || r.only) continue;
    try {
      r.starts.push(await coldStart(r.runtime, r.launch, body, r.timeoutMs));
    } catch (error) {
      r.failure = `failed in round ${round + 1}: ${String(error.message).split('\n').slice(0, 3).join(' ')}`;
    }
  }
}
const cold = runtimes.map(({ runtime, ort, starts, failure, warmupMs, only }) => {
  const med = (key) => (starts.length ? median(starts.map((s) => s[key])) : null);
  const row = { runtime, ort, starts: starts.length, healthMs: med('healthMs'), predictMs: med('predictMs'), firstPredictMs: med('firstPredictMs'), secondPredictMs: med('secondPredictMs'), untimedStartPredictMs: warmupMs, note: failure ?? only ?? '', all: starts };
  if (ort === COMPACT && row.predictMs !== null) {
    row.targetMs = TARGETS[runtime];
    row.note = [`target ≤ ${row.targetMs} ms ${row.predictMs <= row.targetMs ? 'met' : `missed by ${(row.predictMs - row.targetMs).toFixed(0)} ms`}`, row.note].filter(Boolean).join('; ');
  }
  console.log(`cold ${runtime}/${ort}: ${starts.length} starts, health ${row.healthMs?.toFixed(0)} ms, predict ${row.predictMs?.toFixed(0)} ms ${row.note}`);
  return row;
});

// ---------------------------------------------------------------------------------------------------------------
// Results: one table with both parts (writeResults takes one row list).
const ms = (v) => (v == null ? '–' : v < 10 ? v.toFixed(2) : v.toFixed(0));
const rows = [
  ...load.map((r) => ({ part: 'load', ...r })),
  ...cold.map((r) => ({ part: 'cold', ...r })),
];
writeResults(
  join(root, 'tools/bench/results/serve-speed'),
  'Edge app: loopback load test (Node entry) and cold start per runtime and engine',
  rows,
  [
    { label: 'part', format: (r) => r.part },
    { label: 'server', format: (r) => (r.part === 'load' ? `Node entry, ${r.variant} (${r.threads} process threads)` : `${r.runtime}, ${r.ort}`) },
    { label: 'connections / starts', format: (r) => String(r.part === 'load' ? r.connections : r.starts) },
    { label: 'req/s', format: (r) => (r.part === 'load' ? r.requestsPerSecond.toFixed(0) : '') },
    { label: 'mean ms', format: (r) => (r.part === 'load' ? r.meanMs.toFixed(2) : '') },
    { label: 'p50 ms', format: (r) => (r.part === 'load' ? r.p50Ms.toFixed(2) : '') },
    { label: 'p99 ms', format: (r) => (r.part === 'load' ? r.p99Ms.toFixed(2) : '') },
    { label: 'non-2xx', format: (r) => (r.part === 'load' ? `${r.non2xx}${r.errors ? ` (+${r.errors} errors)` : ''}` : '') },
    { label: 'spawn → /health ms', format: (r) => (r.part === 'cold' ? ms(r.healthMs) : '') },
    { label: 'spawn → predict ms', format: (r) => (r.part === 'cold' ? ms(r.predictMs) : '') },
    { label: '1st / 2nd predict ms', format: (r) => (r.part === 'cold' ? `${ms(r.firstPredictMs)} / ${ms(r.secondPredictMs)}` : '') },
    { label: 'note', format: (r) => r.note ?? r.why ?? '' },
  ],
  {
    model: `unfold LSTM export (createModel + exportModel): input ${I}, hidden ${H}, dense ${H}→${I}, readout last; ${(modelBytes / 1024).toFixed(0)} KiB`,
    request: `POST /models/${MODEL}/predict, {"inputs": [one sequence of ${T} steps × ${I} numbers]}, ${bodyBytes} bytes; answer: 1 row of ${I} numbers`,
    load: `autocannon ${packageVersion('autocannon')} in this process (client and server share 2 cores), ${LOAD_SECONDS} s per row after a 2 s warm-up at 8 connections, pipelining 1; both servers up at once and the thread counts run back to back at each connection count; req/s is autocannon's mean per second; latencies (mean, p50, p99) from autocannon's per-response times (its own histogram keeps whole ms only; its values are in the JSON as autocannonP50Ms/autocannonP99Ms)`,
    threadRatios,
    threads: 'the Node entry\'s --threads flag sets onnxruntime-node\'s intraOpNumThreads per model (interOpNumThreads 1): --threads 1 is the entry\'s default, --threads 2 is one thread per core here (what onnxruntime picks when not told). "process threads" is /proc Threads of the server process',
    cold: `medians of ${COLD_STARTS} starts per runtime, interleaved, after one untimed start each; time from spawn (bundles prebuilt) to the first 200 from /health (polled every 10 ms), and to the first 200 from predict (sent right after /health answered). Node/Bun/Deno entries and unfold serve create the engine's session before listening; the Workers on the first predict. unfold serve is node packages/cli/bin/unfold.js serve <models> --port <p> [--engine compact] over the built packages. workerd is started by wrangler dev, which bundles the Worker (esbuild) on each start: its /health time is wrangler's, not a deployed isolate's cold start, and the first predict's own latency (1st predict ms) is the Worker's cold work: the engine's set-up and the model's load`,
    targets: 'issue 18, compact engine, spawn → first answered predict: Node and unfold serve ≤ 120 ms, Bun and Deno ≤ 150 ms, workerd ≤ 300 ms (see the note column)',
    versions: { engine: packageVersion('@unfold/engine'), onnxruntimeNode: packageVersion('onnxruntime-node'), onnxruntimeWeb: packageVersion('onnxruntime-web'), bun: packageVersion('bun'), deno: packageVersion('deno'), wrangler: packageVersion('wrangler') },
    totalSeconds: Math.round((performance.now() - began) / 1000),
  },
);
rmSync(scratch, { recursive: true, force: true });
console.log(readFileSync(join(root, 'tools/bench/results/serve-speed.md'), 'utf8'));
