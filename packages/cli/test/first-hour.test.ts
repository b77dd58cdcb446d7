import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findRuntimeBinary, runServerProcess, runtimeBinary } from '../src/runtime-binary';
import { UsageError } from '../src/usage-error';
import { bundleCli, runBundled, type CliRun } from './subprocess';

// The command-line defects of issue 14 (a new user's first hour), each as the user met it.
let cli: string;
let dir: string;
let checkpoint: string;
let onnx: string;

beforeAll(async () => {
  cli = await bundleCli('unfold-cli-first-hour');
  dir = await mkdtemp(join(tmpdir(), 'unfold-first-hour-'));
  checkpoint = join(dir, 'small.unfold');
  onnx = join(dir, 'small.onnx');
  const trained = await runBundled(cli, ['train', '--epochs', '1', '--hidden', '4', '--window', '4', '-o', checkpoint]);
  expect(trained.code, trained.stderr).toBe(0);
  const exported = await runBundled(cli, ['export', checkpoint, '-o', onnx]);
  expect(exported.code, exported.stderr).toBe(0);
}, 180_000);

function expectOneLine(run: CliRun, message: RegExp): void {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stderr).toMatch(message);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
}

describe('unfold on files it does not take', () => {
  it('export of an ONNX file says it takes a checkpoint (exit 2)', async () => {
    const run = await runBundled(cli, ['export', onnx, '-o', join(dir, 'again.onnx')]);
    expectOneLine(run, /this is an ONNX file; export takes a checkpoint \(\.unfold\).*Fix: .*unfold import/);
  });

  it('serve of a file that is not a model gives one line naming the file, exit 2', async () => {
    const bad = join(dir, 'notamodel.onnx');
    await writeFile(bad, 'hello\n');
    const run = await runBundled(cli, ['serve', bad, '--port', '0']);
    expectOneLine(run, /notamodel.*not a valid ONNX protobuf/);
  });
});

describe('unfold run with the documented [1, size] state row', () => {
  it.each(['ort', 'tfjs'])('broadcasts one state row to a batch of 2 (--engine %s), as onnxruntime does', async (engine) => {
    const input = [[[0.1], [0.2], [0.3]], [[0.4], [0.5], [0.6]]];
    const row = [0.5, -0.25, 0.125, 0.75];
    const one = join(dir, `one-row.${engine}.json`);
    const two = join(dir, `two-rows.${engine}.json`);
    await writeFile(one, JSON.stringify({ input, 'state_in.body.h': [row] }));
    await writeFile(two, JSON.stringify({ input, 'state_in.body.h': [row, row] }));
    const outOne = join(dir, `one-row.${engine}.out.json`);
    const outTwo = join(dir, `two-rows.${engine}.out.json`);
    const a = await runBundled(cli, ['run', onnx, '--inputs', one, '--engine', engine, '-o', outOne]);
    expect(a.code, a.stderr).toBe(0);
    const b = await runBundled(cli, ['run', onnx, '--inputs', two, '--engine', engine, '-o', outTwo]);
    expect(b.code, b.stderr).toBe(0);
    const [x, y] = [JSON.parse(await readFile(outOne, 'utf8')), JSON.parse(await readFile(outTwo, 'utf8'))];
    expect(x.output.shape[0]).toBe(2);
    expect(x).toEqual(y);
  });
});

describe('unfold serve --runtime bun|deno', () => {
  it('finds the npm copy of bun and deno from where the command is installed, with node_modules/.bin off PATH', () => {
    const cwd = process.cwd();
    const path = process.env.PATH;
    try {
      process.chdir(tmpdir());
      process.env.PATH = dirname(process.execPath);
      for (const name of ['bun', 'deno']) {
        const found = findRuntimeBinary(name);
        expect(found).toMatch(new RegExp(`node_modules[\\\\/]\\.bin[\\\\/]${name}`));
        expect(existsSync(found as string)).toBe(true);
      }
    } finally {
      process.chdir(cwd);
      process.env.PATH = path;
    }
  });

  it('a runtime that is nowhere is a usage error naming the fix', () => {
    const empty = { from: [join(dir, 'nowhere')], path: '' };
    expect(findRuntimeBinary('bun', empty)).toBeUndefined();
    expect(() => runtimeBinary('bun', empty)).toThrow(UsageError);
    expect(() => runtimeBinary('bun', empty)).toThrow(/cannot find the bun executable/);
  });

  it('a runtime that cannot start rejects with a usage error, not an unhandled spawn ENOENT', async () => {
    const failed = await runServerProcess(join(dir, 'no-such-bun'), [], process.env).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(UsageError);
    expect((failed as UsageError).message).toMatch(/cannot start .*no-such-bun: ENOENT/);
  });

  it('serves with bun from a folder outside the project and a PATH without node_modules/.bin', async () => {
    let built = false;
    try {
      built = existsSync(createRequire(import.meta.url).resolve('@unfold/edge/entries/bun'));
    } catch {
      built = false;
    }
    const child = spawn(process.execPath, [cli, 'serve', onnx, '--runtime', 'bun', '--port', '0'], { cwd: tmpdir(), env: { ...process.env, PATH: dirname(process.execPath), ORT_DISABLE_TELEMETRY: '1' } });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (!built) {
      // Without a build of @unfold/edge the command says so in one line (npm test runs before any build).
      expect(await exited).toBe(2);
      expect(out).toMatch(/entry of @unfold\/edge is not built/);
      return;
    }
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no address printed: ${out}`)), 60_000);
      const look = () => {
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1] as string);
        }
      };
      child.stdout.on('data', look);
      child.stderr.on('data', look);
      void exited.then(() => reject(new Error(`exited: ${out}`)));
    });
    expect((await fetch(`${url}/health`)).status).toBe(200);
    child.kill('SIGTERM');
    await exited;
  }, 120_000);
});
