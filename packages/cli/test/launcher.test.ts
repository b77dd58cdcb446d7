import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleFromSource } from '@unfold/testing';
import type { CliRun } from './subprocess';

// The `unfold` bin is a committed launcher (npm links it at install time, before any build) that loads the
// built command line from ../dist. These tests run a copy of it in a package folder of their own (inside the
// workspace, so the npm packages resolve): once with no dist, once with a dist bundled from source.
const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..');
const root = join(pkg, '../..');
const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[] };
const launcher = join(pkg, manifest.bin.unfold!);
const scratch = join(root, '.tmp', `launcher-${process.pid}`);

function runLauncher(bin: string, args: readonly string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end();
  });
}

/** A package folder holding a copy of the committed launcher at the same relative path. */
function packageCopy(name: string): { dir: string; bin: string } {
  const dir = join(scratch, name);
  const bin = join(dir, manifest.bin.unfold!);
  mkdirSync(dirname(bin), { recursive: true });
  copyFileSync(launcher, bin);
  return { dir, bin };
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the committed unfold launcher', () => {
  it('is a source file npm can link at install time: present, executable, a node shebang, shipped', () => {
    const text = readFileSync(launcher, 'utf8');
    expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(statSync(launcher).mode & 0o111).not.toBe(0);
    expect(manifest.files).toContain(dirname(manifest.bin.unfold!).replace(/^\.\//, ''));
  });

  it('says in one line how to build the command when dist is missing, and exits 2', async () => {
    const { bin } = packageCopy('no-dist');
    const run = await runLauncher(bin, ['--help']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('npx nx run @unfold/cli:build');
    expect(run.stderr).toContain('npm run build');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('runs the built command line when dist is there', async () => {
    const { dir, bin } = packageCopy('with-dist');
    await bundleFromSource(join(pkg, 'src/launch.ts'), join(dir, 'dist/launch.js'));
    const help = await runLauncher(bin, ['--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: unfold <command>');
    const bad = await runLauncher(bin, ['serve-all']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown command "serve-all"/);
  });
});
