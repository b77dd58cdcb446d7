import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleFromSource } from '@unfold/testing';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');

/** Bundles the `unfold` executable from source so tests run the real command as a subprocess, no build needed. */
export function bundleCli(name: string): Promise<string> {
  return bundleFromSource(join(here, '../src/bin.ts'), join(root, '.tmp', `${name}.mjs`));
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the bundled command with no standard input; never rejects. */
export function runBundled(bundle: string, args: readonly string[], cwd = root): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [bundle, ...args], { cwd, env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end();
  });
}
