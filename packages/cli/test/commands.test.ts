import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, runBundled } from './subprocess';

let cli: string;
let dir: string;
let checkpoint: string;

beforeAll(async () => {
  cli = await bundleCli('unfold-cli-commands');
  dir = await mkdtemp(join(tmpdir(), 'unfold-cli-'));
  checkpoint = join(dir, 'small.unfold');
  const trained = await runBundled(cli, ['train', '--epochs', '1', '--hidden', '4', '--window', '4', '-o', checkpoint]);
  expect(trained.code, trained.stderr).toBe(0);
}, 180_000);

describe('unfold (as a subprocess)', () => {
  it.each(['train', 'export', 'inspect'])('%s --help prints usage and exits 0', async (command) => {
    const run = await runBundled(cli, [command, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage: unfold ${command}`);
  });

  it('exports a checkpoint and inspects both files', async () => {
    const onnx = join(dir, 'small.onnx');
    const exported = await runBundled(cli, ['export', checkpoint, '-o', onnx]);
    expect(exported.code, exported.stderr).toBe(0);
    const shown = await runBundled(cli, ['inspect', onnx]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/ONNX IR 8, opset ai\.onnx 17/);
    expect(shown.stdout).toContain('input float32 [batch, time, 1]');
    expect(shown.stdout).toContain('LSTM×1');
    expect(shown.stdout).toContain('"task":"mackey-glass"');
    const json = JSON.parse((await runBundled(cli, ['inspect', onnx, '--json'])).stdout);
    expect(json.outputs.map((o: { name: string }) => o.name)).toEqual(['output', 'state_out.body.h', 'state_out.body.c']);
    const ckpt = await runBundled(cli, ['inspect', checkpoint]);
    expect(ckpt.stdout).toContain('unfold checkpoint');
    expect(ckpt.stdout).toContain('body.W [16, 1]');
  });

  it.each([
    ['a missing file', ['inspect', 'no-such-file.onnx'], /cannot read no-such-file\.onnx: ENOENT/],
    ['a non-model file', ['inspect', 'package.json'], /neither an ONNX model nor an unfold checkpoint/],
    ['an unknown option', ['export', 'x', '--frobnicate'], /Unknown option '--frobnicate'/],
    ['a missing argument', ['export'], /missing --out/],
    ['an unknown command', ['serve-all'], /unknown command "serve-all"/],
  ])('reports %s in one line with the fix and exit code 2', async (_what, args, message) => {
    const run = await runBundled(cli, args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('Fix:');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports a corrupt checkpoint in one line with exit code 2', async () => {
    const corrupt = join(dir, 'corrupt.unfold');
    const bytes = new Uint8Array(await (await import('node:fs/promises')).readFile(checkpoint));
    bytes[bytes.length - 3]! ^= 0xff;
    await writeFile(corrupt, bytes);
    const run = await runBundled(cli, ['export', corrupt, '-o', join(dir, 'x.onnx')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/checksum mismatch: the file is corrupt/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});
