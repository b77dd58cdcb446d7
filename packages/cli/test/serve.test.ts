import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, runBundled, startServe } from './subprocess';

let cli: string;
let onnx: string;

beforeAll(async () => {
  cli = await bundleCli('unfold-cli-serve');
  const dir = await mkdtemp(join(tmpdir(), 'unfold-serve-'));
  const checkpoint = join(dir, 'small.unfold');
  onnx = join(dir, 'small.onnx');
  expect((await runBundled(cli, ['train', '--epochs', '1', '--hidden', '4', '--window', '4', '-o', checkpoint])).code).toBe(0);
  expect((await runBundled(cli, ['export', checkpoint, '-o', onnx])).code).toBe(0);
}, 180_000);

describe('unfold serve', () => {
  it('--help documents the runtimes', async () => {
    const run = await runBundled(cli, ['serve', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--runtime <node|bun|deno|workers>');
  });

  it('serves an exported model on 127.0.0.1, prints curl examples, and stops on SIGTERM', async () => {
    const server = await startServe(cli, [onnx, '--port', '0']);
    const url = server.url;
    expect(server.stdout()).toMatch(/curl .*\/models\/small\/predict/);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const predicted = await fetch(`${url}/models/small/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: [[[0.1], [0.2], [0.3], [0.4]]] }) });
    expect(predicted.status).toBe(200);
    const bad = await fetch(`${url}/models/small/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"inputs": [[[NaN]]]' });
    expect(bad.status).toBe(400);
    expect(await server.stop()).toBe(0);
  }, 120_000);

  it('serves on workerd with --runtime workers, and stops it on SIGTERM', async () => {
    const server = await startServe(cli, [onnx, '--runtime', 'workers', '--port', '0'], /at (http:\/\/127\.0\.0\.1:\d+) on workerd/);
    const url = server.url;
    let health: Response | undefined;
    for (let attempt = 0; attempt < 90 && health?.status !== 200; attempt++) {
      health = await fetch(`${url}/health`).catch(() => undefined);
      if (health?.status !== 200) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(await health?.json()).toMatchObject({ status: 'ok', runtime: 'workerd', models: ['small'] });
    const predicted = await fetch(`${url}/models/small/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: [[[0.1], [0.2], [0.3], [0.4]]] }) });
    expect(predicted.status).toBe(200);
    await server.stop();
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  }, 150_000);

  it('reports a missing model folder in one line with exit code 2', async () => {
    const run = await runBundled(cli, ['serve', 'no-such-folder']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no-such-folder does not exist/);
  });
});
