// Loopback load test of the hardened edge server (issue 15, "Acceptance"): the demo forecaster (`unfold train`
// defaults: LSTM 32, window 24, exported with `unfold export`) served by the Node entry (onnxruntime-node, one
// thread, default limits) on 127.0.0.1, under autocannon:
//   small   POST predict with one 24-step window, alone, at 8 and 32 connections
//   mixed   the same small predicts at 8 and 32 connections while 4 more connections send, in turn, the
//           largest predict the limits allow (64 × 512 steps = maxSteps), a 32 × 512-step rollout, and two
//           amplifying requests the limits refuse before work (64 × 4,096 steps: 422 maxSteps; a 1,024-step
//           rollout of 64: 422) — the large bodies run in the heavy lane (1 running, 2 waiting) and are
//           otherwise shed (503); the rollout and the small predicts share the light lane (4 running, 64 waiting)
// Reported per row: requests/s, p50/p99 of 2xx answers, and the status codes. Client and server share the
// machine's cores. Run: `node tools/bench/src/edge-load.mjs` from the repo root (about 2 minutes).
// Env: LOAD_SECONDS (default 10). Writes tools/bench/results/edge-load.{json,md}.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { bundleSource } from '../../checks/src/bundle-source.mjs';
import { writeResults } from './stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const scratch = join(root, '.tmp', 'edge-load');
const LOAD_SECONDS = Number(process.env.LOAD_SECONDS ?? 10);
const WINDOW = 24;
const CHILD_ENV = { ...process.env, ORT_DISABLE_TELEMETRY: '1', NO_COLOR: '1' };
const JSON_HEADERS = { 'content-type': 'application/json' };

rmSync(scratch, { recursive: true, force: true });
mkdirSync(join(scratch, 'models'), { recursive: true });
const began = performance.now();
const LOAD_BEFORE = loadavg().map((x) => x.toFixed(1)).join(' '); // the machine is shared: its load shapes the numbers

// The demo forecaster, made by the command itself.
const cli = await bundleSource(join(root, 'packages/cli/src/bin.ts'), join(scratch, 'unfold.mjs'));
const checkpoint = join(scratch, 'forecaster.unfold');
execFileSync(process.execPath, [cli, 'train', '--epochs', '1', '-o', checkpoint], { env: CHILD_ENV, stdio: 'ignore' });
execFileSync(process.execPath, [cli, 'export', checkpoint, '-o', join(scratch, 'models', 'forecaster.onnx')], { env: CHILD_ENV, stdio: 'ignore' });
const entry = await bundleSource(join(root, 'apps/edge/src/entries/node.ts'), join(scratch, 'node.mjs'));

const SERVER_FLAGS = (process.env.SERVER_FLAGS ?? '').split(' ').filter(Boolean);
const server = spawn(process.execPath, [entry, '--models', join(scratch, 'models'), '--port', '0', ...SERVER_FLAGS], { env: CHILD_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
process.once('exit', () => server.kill('SIGKILL'));
let serverOutput = '';
server.stderr.on('data', (chunk) => (serverOutput += chunk));
const url = await new Promise((resolve, reject) => {
  let out = '';
  const timer = setTimeout(() => reject(new Error(`the server did not start: ${out}${serverOutput}`)), 60_000);
  server.stdout.on('data', (chunk) => {
    out += chunk;
    const match = /listening on (\S+)/.exec(out);
    if (match) {
      clearTimeout(timer);
      resolve(match[1]);
    }
  });
});

let seed = 7;
const value = () => Math.round(((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 1e3) / 1e3 + 0.5;
const sequences = (batch, steps) => Array.from({ length: batch }, () => Array.from({ length: steps }, value));
const small = JSON.stringify({ inputs: sequences(1, WINDOW) });
const MAX_STEPS = Number(SERVER_FLAGS[SERVER_FLAGS.indexOf('--max-steps') + 1] ?? 32_768) || 32_768; // the largest calls the server allows
const heavy = [
  { path: '/models/forecaster/predict', body: JSON.stringify({ inputs: sequences(64, MAX_STEPS / 64) }), what: `predict 64 × ${MAX_STEPS / 64} (maxSteps)` },
  { path: '/models/forecaster/rollout', body: JSON.stringify({ inputs: sequences(16, WINDOW), steps: MAX_STEPS / 16 - WINDOW }), what: `rollout 16 × ${MAX_STEPS / 16 - WINDOW} steps` },
  { path: '/models/forecaster/predict', body: JSON.stringify({ inputs: sequences(64, 4096).map((s) => s.map((x) => Math.round(x * 10) / 10)) }), what: 'predict 64 × 4,096 (refused)' },
  { path: '/models/forecaster/rollout', body: JSON.stringify({ inputs: sequences(64, WINDOW), steps: 1024 }), what: 'rollout 64 × 1,024 (refused)' },
];

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];

/** autocannon over `requests` (cycled per connection); latencies of 2xx answers from its per-response times. */
function cannon(requests, connections, seconds) {
  const times = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url, connections, pipelining: 1, duration: seconds, requests: requests.map((r) => ({ method: 'POST', path: r.path, headers: JSON_HEADERS, body: r.body })) }, (error, result) => {
      if (error) return reject(error);
      times.sort((a, b) => a - b);
      resolve({ connections, requests: result.requests.total, requestsPerSecond: result.requests.average, p50Ms: quantile(times, 0.5) ?? null, p99Ms: quantile(times, 0.99) ?? null, statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count])), errors: result.errors, timeouts: result.timeouts });
    });
    instance.on('response', (_client, status, _bytes, responseTime) => status >= 200 && status < 300 && times.push(responseTime));
  });
}

const smallRequest = [{ path: '/models/forecaster/predict', body: small }];
await cannon(smallRequest, 8, 2); // warm-up, not recorded
const rows = [];
for (const connections of [8, 32]) {
  const alone = await cannon(smallRequest, connections, LOAD_SECONDS);
  rows.push({ load: 'small only', traffic: 'small predicts', ...alone });
  const [mixedSmall, mixedHeavy] = await Promise.all([cannon(smallRequest, connections, LOAD_SECONDS), cannon(heavy, 4, LOAD_SECONDS)]);
  rows.push({ load: `mixed (${connections} + 4)`, traffic: 'small predicts', ...mixedSmall });
  rows.push({ load: `mixed (${connections} + 4)`, traffic: 'large and amplifying', ...mixedHeavy });
  for (const row of rows.slice(-3)) console.log(`${row.load} ${row.traffic} c=${row.connections}: ${row.requestsPerSecond.toFixed(0)} req/s, p50 ${row.p50Ms?.toFixed(2)} ms, p99 ${row.p99Ms?.toFixed(2)} ms, ${JSON.stringify(row.statusCodes)}`);
}
const rssMiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1]) / 1024;
server.kill('SIGTERM');
const internal = /internal error/.test(serverOutput);

const fmt = (x) => (x === null || x === undefined ? '' : x.toFixed(2));
writeResults(join(root, 'tools/bench/results/edge-load'), 'Edge server under load: small predicts alone and mixed with large and amplifying requests (Node entry, default limits)', rows, [
  { label: 'load', format: (r) => r.load },
  { label: 'traffic', format: (r) => r.traffic },
  { label: 'connections', format: (r) => String(r.connections) },
  { label: 'req/s', format: (r) => r.requestsPerSecond.toFixed(0) },
  { label: 'p50 ms (2xx)', format: (r) => fmt(r.p50Ms) },
  { label: 'p99 ms (2xx)', format: (r) => fmt(r.p99Ms) },
  { label: 'statuses', format: (r) => Object.entries(r.statusCodes).map(([c, n]) => `${c}: ${n}`).join(', ') },
], {
  command: 'node tools/bench/src/edge-load.mjs',
  model: `the demo forecaster: unfold train --epochs 1 (LSTM 32, window ${WINDOW}, dense head) exported with unfold export`,
  small: `POST /models/forecaster/predict, one ${WINDOW}-step window (${Buffer.byteLength(small)} bytes)`,
  large: heavy.map((h) => `${h.what}: ${Buffer.byteLength(h.body)} bytes`),
  server: 'Node entry, onnxruntime-node 1 thread, default limits (maxSteps 32,768, maxOutputElements 262,144, maxConcurrent 4, maxQueue 64, heavy lane for bodies over 64 KiB: 1 running, 2 waiting; maxRequestMs 10,000, maxBodyBytes 1 MiB)',
  measure: `autocannon, ${LOAD_SECONDS} s per row after a 2 s warm-up, pipelining 1, in this process (client and server share the cores); p50/p99 from per-response times of 2xx answers; the large connections cycle through their four requests`,
  serverRssAfterMiB: Math.round(rssMiB),
  internalErrorsLogged: internal,
  loadAverageBefore: LOAD_BEFORE,
  totalSeconds: Math.round((performance.now() - began) / 1000),
});
process.exit(0);
