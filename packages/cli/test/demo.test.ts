import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleCli } from './subprocess';

let cli: string;
beforeAll(async () => {
  cli = await bundleCli('unfold-cli-demo');
}, 120_000);

describe('unfold demo (the main job)', () => {
  it('trains, exports, checks the export in onnxruntime, serves, and stops on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'unfold-demo-'));
    const child = spawn(process.execPath, [cli, 'demo', '--epochs', '1', '--hidden', '4', '--window', '6', '--port', '0', '-o', join(dir, 'fc.unfold')], { env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`demo did not start serving:\n${stdout}\n${stderr}`)), 150_000);
      child.on('exit', () => reject(new Error(`demo exited early:\n${stdout}\n${stderr}`)));
      child.stdout.on('data', () => {
        const match = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(match[1] as string);
        }
      });
    });
    expect(stdout).toMatch(/test NRMSE [\d.]+/);
    expect(stdout).toMatch(/onnxruntime matches unfold on 800 held-out forecasts: max \|diff\| /);
    expect(existsSync(join(dir, 'fc.onnx'))).toBe(true);
    for (const operation of ['predict', 'stream', 'rollout']) expect(stdout).toMatch(new RegExp(`curl .*/models/fc/${operation}`));
    expect((await fetch(`${url}/models`)).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 200_000);
});
