import { execFile, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleFromSource } from '@unfold/testing';
import { beforeAll } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');

/** Bundles the `unfold` executable from source so tests run the real command as a subprocess, no build needed. */
export function bundleCli(name: string): Promise<string> {
  return bundleFromSource(join(here, '../src/bin.ts'), join(root, '.tmp', `${name}.mjs`));
}

/** The bundled command and a scratch folder for one test file, both made before its tests run. */
export function cliWorkspace(name: string): { readonly cli: string; readonly dir: string } {
  const workspace = { cli: '', dir: '' };
  beforeAll(async () => {
    workspace.cli = await bundleCli(`unfold-cli-${name}`);
    workspace.dir = await mkdtemp(join(tmpdir(), `unfold-${name}-`));
  }, 120_000);
  return workspace;
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the bundled command with no standard input; never rejects. */
export function runBundled(bundle: string, args: readonly string[], cwd = root, env: Readonly<Record<string, string>> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [bundle, ...args], { cwd, env: { ...process.env, ORT_DISABLE_TELEMETRY: '1', ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end();
  });
}

/** A running `unfold serve` subprocess: its base URL, what it printed, and how to stop it (exit code). */
export interface ServeProcess {
  readonly url: string;
  stdout(): string;
  stop(): Promise<number | null>;
}

/** Starts `unfold serve <args>` and resolves once it prints its address (`at http://127.0.0.1:PORT`). */
export async function startServe(bundle: string, args: readonly string[], address = /at (http:\/\/127\.0\.0\.1:\d+)/): Promise<ServeProcess> {
  const child = spawn(process.execPath, [bundle, 'serve', ...args], { env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' } });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no address printed: ${stdout}`)), 60_000);
    child.stdout.on('data', () => {
      const found = address.exec(stdout);
      if (found) {
        clearTimeout(timer);
        resolve(found[1] as string);
      }
    });
    void exited.then(() => reject(new Error(`unfold serve exited: ${stdout}`)));
  });
  return {
    url,
    stdout: () => stdout,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
