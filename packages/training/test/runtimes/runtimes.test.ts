import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bundleFromSource } from '@unfold/testing';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../../..');
const bundle = join(root, '.tmp', 'training-smoke.mjs');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

/** The smoke entry bundled from source (npm packages left external), run as-is by every runtime from the repo root. */
beforeAll(async () => {
  await bundleFromSource(join(here, 'smoke-entry.ts'), bundle);
});

async function losses(command: string, args: string[]): Promise<number[]> {
  const { UNFOLD_KERNELS: _kernels, UNFOLD_KERNEL_THREADS: _threads, ...environment } = process.env; // the kernels' defaults, whatever this run sets
  const { stdout } = await run(command, [...args, bundle], { cwd: root, env: { ...environment, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' }, timeout: 120_000 });
  const parsed = JSON.parse(stdout.trim().split('\n').at(-1) as string) as { backend: string; kernels: string; threads: number; losses: number[] };
  expect(parsed.backend).toBe('wasm');
  // Every runtime trains on the WebAssembly kernels, on two threads (Bun and Deno start the worker too).
  expect(parsed.kernels).not.toBe('none');
  expect(parsed.threads).toBe(availableParallelism() >= 2 ? 2 : 1);
  return parsed.losses;
}

describe('training runs under Node, Bun and Deno', () => {
  // Bun validates the relaxed-SIMD build, Node 20 the SIMD one: the losses agree within float32 rounding.
  it('gives decreasing, matching losses on all three', async () => {
    const node = await losses(process.execPath, []);
    const bun = await losses(bin('bun'), []);
    const deno = await losses(bin('deno'), ['run', '--allow-read', '--allow-env', '--allow-sys']);
    expect(node.length).toBeGreaterThan(10);
    const early = (l: number[]) => (l[0]! + l[1]! + l[2]!) / 3;
    const late = (l: number[]) => (l.at(-1)! + l.at(-2)! + l.at(-3)!) / 3;
    expect(late(node)).toBeLessThan(0.5 * early(node));
    for (const other of [bun, deno]) {
      expect(other).toHaveLength(node.length);
      other.forEach((loss, i) => expect(Math.abs(loss - node[i]!)).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(node[i]!)));
    }
  }, 180_000);
});
