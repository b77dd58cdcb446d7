import { describe, expect, it } from 'vitest';
import { call, post } from './support/client';
import { describeServedRuntime } from './support/conformance';
import { fuzzRequests } from './support/fuzz';

// Node: the node:http adapter, onnxruntime-node by default and onnxruntime-web by flag.
const served = describeServedRuntime('node', [
  { runtime: 'node', ort: 'node' },
  { runtime: 'node', ort: 'web' },
]);

describe('fuzz: node with onnxruntime-node', () => {
  it('answers 400 random bodies (seeded) without a 5xx, and stays up and correct', async () => {
    const server = served().servers[0]!;
    const probe = { inputs: [[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]] };
    const before = await post(`${server.url}/models/tagger/predict`, probe);
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    const requests = fuzzRequests(20241123, 400);
    for (let i = 0; i < requests.length; i += 4) {
      const batch = requests.slice(i, i + 4); // four in flight: failing and valid calls interleave
      const answers = await Promise.all(batch.map((r) => call(`${server.url}${r.path}`, r.init)));
      answers.forEach((answer, k) => {
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const malformed = answer.status >= 400 && typeof answer.body?.error?.code !== 'string';
        if (answer.status >= 500 || malformed) failures.push(`${batch[k]!.describe}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
      });
    }
    if (process.env.UNFOLD_EDGE_REPORT) console.log('fuzz statuses', JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0]))));
    expect(failures).toEqual([]);
    expect([...statuses.keys()].every((status) => status < 500)).toBe(true);
    expect((statuses.get(200) ?? 0) + (statuses.get(422) ?? 0) + (statuses.get(400) ?? 0)).toBeGreaterThan(250);
    expect(server.alive()).toBe(true);
    expect(server.stderr()).not.toMatch(/internal error/);
    expect((await post(`${server.url}/models/tagger/predict`, probe)).body).toEqual(before.body);
  }, 120_000);
});
