import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, post, type Answer } from './support/client';
import { writeModelFolder, type ModelFolder } from './support/fixtures';
import { fuzzRequests, type FuzzRequest } from './support/fuzz';
import { hostileFetchRequests, hostileRawRequests, type RawOutcome } from './support/hostile';
import { bundleEntry, startEntry, type RunningEntry } from './support/servers';

/**
 * The acceptance fuzz test of issue 15 on Node: 2,000 seeded requests over every endpoint, the random
 * ones of support/fuzz.ts mixed with every hostile shape of support/hostile.ts (deep nesting, huge numbers,
 * giant batches, amplifying requests, bodies over the cap, unknown methods with TRACE and CONNECT, a foreign
 * Host, aborted bodies, slow readers), eight in flight. It asserts 0 answers of 5xx, a live server, no
 * answer slower than the time budget, the valid predict's answer unchanged, and the server's RSS back
 * within 1.5× of its idle value 10 s after the load stops (read from /proc).
 */
const LABEL = 'hostile-fuzz';
const BUDGET_MS = 5000;
const FLAGS = ['--max-request-ms', String(BUDGET_MS), '--max-write-ms', '2000'];
const TOTAL = 2000;

let folder: ModelFolder;
let server: RunningEntry;

beforeAll(async () => {
  folder = await writeModelFolder(LABEL);
  server = await startEntry({ runtime: 'node', ort: 'node', entry: await bundleEntry('node', LABEL), models: folder.path, flags: FLAGS });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  folder?.dispose();
});

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

type Item = { readonly kind: 'fetch'; readonly request: FuzzRequest } | { readonly kind: 'raw'; readonly describe: string; readonly run: () => Promise<RawOutcome> };

/** TOTAL requests: every 10th slot a hostile one (fetch or raw, in turn), the rest the seeded random ones. */
function schedule(url: string): Item[] {
  const random = fuzzRequests(20261206, TOTAL);
  const hostile: Item[] = [];
  for (let round = 0; hostile.length < TOTAL / 10; round++) {
    hostile.push(...hostileFetchRequests(round).map((request): Item => ({ kind: 'fetch', request })));
    hostile.push(...hostileRawRequests(url, round).map((raw): Item => ({ kind: 'raw', ...raw })));
  }
  return random.map((request, i): Item => (i % 10 === 9 ? (hostile[(i - 9) / 10] as Item) : { kind: 'fetch', request }));
}

describe('hostile fuzz on Node (issue 15 acceptance)', () => {
  it('2,000 seeded requests with every hostile shape: no 5xx, within the budget, unchanged answers, memory back', async () => {
    const url = server.url;
    const probe = { inputs: [[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]] };
    for (const model of ['tagger', 'forecaster', 'charlm']) await post(`${url}/models/${model}/predict`, model === 'tagger' ? probe : { inputs: [[1, 2, 3]] });
    const before = await post(`${url}/models/tagger/predict`, probe);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const idle = rssMiB(server.pid as number);

    const items = schedule(url);
    const statuses = new Map<string, number>();
    const failures: string[] = [];
    const slowReaders: Promise<RawOutcome>[] = [];
    let slowest = 0;
    let peak = idle;
    for (let i = 0; i < items.length; i += 8) {
      const batch = items.slice(i, i + 8);
      await Promise.all(
        batch.map(async (item) => {
          const started = performance.now();
          let status: number | null;
          let describe: string;
          if (item.kind === 'fetch') {
            describe = item.request.describe;
            const answer: Answer = await call(`${url}${item.request.path}`, item.request.init);
            status = answer.status;
            if (status >= 400 && typeof answer.body?.error?.code !== 'string') failures.push(`${describe}: ${status} without an error code`);
          } else {
            describe = item.describe;
            const pending = item.run();
            if (describe === 'slow reader') {
              slowReaders.push(pending); // in the background: it holds its connection for 3 s
              return;
            }
            status = (await pending).status;
          }
          const ms = performance.now() - started;
          slowest = Math.max(slowest, ms);
          const key = `${status}`;
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
          if (status !== null && status >= 500) failures.push(`${describe.slice(0, 160)}: ${status}`);
          if (ms > BUDGET_MS + 500) failures.push(`${describe.slice(0, 160)}: ${ms.toFixed(0)} ms`);
        }),
      );
      if (i % 200 === 0) peak = Math.max(peak, rssMiB(server.pid as number));
    }
    const dropped = await Promise.all(slowReaders);
    const loadEnded = performance.now();
    expect(server.alive()).toBe(true);
    expect((await post(`${url}/models/tagger/predict`, probe)).body).toEqual(before.body);
    await new Promise((resolve) => setTimeout(resolve, 10_000 - (performance.now() - loadEnded)));
    const after = rssMiB(server.pid as number);
    const summary = { requests: items.length, statuses: Object.fromEntries([...statuses].sort()), slowReaders: dropped.length, slowestMs: Math.round(slowest), idleMiB: Math.round(idle), peakMiB: Math.round(peak), afterMiB: Math.round(after) };
    console.log(`hostile fuzz: ${JSON.stringify(summary)}`);
    expect(failures).toEqual([]);
    expect(items.length).toBeGreaterThanOrEqual(2000);
    expect(dropped.map((d) => d.status)).toEqual(dropped.map(() => 200));
    expect(after).toBeLessThan(1.5 * idle);
    expect(server.stderr()).not.toMatch(/internal error/);
  }, 180_000);
});
