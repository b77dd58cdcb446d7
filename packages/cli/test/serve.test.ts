import { mkdtemp } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
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

  it('reports a taken port, a port out of range and a file that is not a model in one line each with exit code 2', async () => {
    const holder = createServer();
    await new Promise<void>((done) => holder.listen(0, '127.0.0.1', done));
    const taken = (holder.address() as AddressInfo).port;
    try {
      const busy = await runBundled(cli, ['serve', onnx, '--port', String(taken)]);
      expect(busy.code).toBe(2);
      expect(busy.stderr.trim().split('\n')).toHaveLength(1);
      expect(busy.stderr).toContain(`port ${taken} on 127.0.0.1 is in use`);
      expect(busy.stderr).toContain('--port 0 for a free one');
      // The demo asks before it trains: it fails at once, not after the training.
      const demo = await runBundled(cli, ['demo', '--quick', '--port', String(taken), '--dir', await mkdtemp(join(tmpdir(), 'unfold-demo-busy-'))]);
      expect(demo.code).toBe(2);
      expect(demo.stdout).not.toContain('epoch');
      expect(demo.stderr).toContain(`port ${taken} on 127.0.0.1 is in use`);
    } finally {
      holder.close();
    }
    const range = await runBundled(cli, ['serve', onnx, '--port', '99999']);
    expect(range.code).toBe(2);
    expect(range.stderr).toContain('--port must be at most 65535, got "99999"');
    const notModel = await runBundled(cli, ['serve', cli]);
    expect(notModel.code).toBe(2);
    expect(notModel.stderr).toMatch(/is not an \.onnx file or a folder.*unfold export/);
    expect(notModel.stderr).not.toContain('--models');
  }, 60_000);
});
