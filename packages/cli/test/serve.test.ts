import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, runBundled } from './subprocess';

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
    const child = spawn(process.execPath, [cli, 'serve', onnx, '--port', '0'], { env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' } });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no address printed: ${stdout}`)), 60_000);
      child.stdout.on('data', () => {
        const match = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(match[1] as string);
        }
      });
    });
    expect(stdout).toMatch(/curl .*\/models\/small\/predict/);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const predicted = await fetch(`${url}/models/small/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: [[[0.1], [0.2], [0.3], [0.4]]] }) });
    expect(predicted.status).toBe(200);
    const bad = await fetch(`${url}/models/small/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"inputs": [[[NaN]]]' });
    expect(bad.status).toBe(400);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 120_000);

  it('serves on workerd with --runtime workers, and stops it on SIGTERM', async () => {
    const child = spawn(process.execPath, [cli, 'serve', onnx, '--runtime', 'workers', '--port', '0'], { env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' } });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no address printed: ${stdout}`)), 60_000);
      child.stdout.on('data', () => {
        const match = /at (http:\/\/127\.0\.0\.1:\d+) on workerd/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(match[1] as string);
        }
      });
    });
    let health: Response | undefined;
    for (let attempt = 0; attempt < 90 && health?.status !== 200; attempt++) {
      health = await fetch(`${url}/health`).catch(() => undefined);
      if (health?.status !== 200) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(await health?.json()).toMatchObject({ status: 'ok', runtime: 'workerd', models: ['small'] });
    const predicted = await fetch(`${url}/models/small/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: [[[0.1], [0.2], [0.3], [0.4]]] }) });
    expect(predicted.status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  }, 150_000);

  it('reports a missing model folder in one line with exit code 2', async () => {
    const run = await runBundled(cli, ['serve', 'no-such-folder']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no-such-folder does not exist/);
  });
});
