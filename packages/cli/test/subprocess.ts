import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');

/**
 * Bundles the `unfold` executable from source (packages resolved through the '@unfold/source' condition,
 * npm dependencies left external) so tests can run the real command as a subprocess without a build.
 */
export async function bundleCli(name: string): Promise<string> {
  const outfile = join(root, '.tmp', `${name}.mjs`);
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [join(here, '../src/bin.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    conditions: ['@unfold/source'],
    // npm packages stay external (node_modules); the workspace's own packages are bundled from source.
    plugins: [{ name: 'external-npm', setup: (b) => b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@unfold/') ? undefined : { path: args.path, external: true })) }],
    outfile,
    logLevel: 'error',
  });
  return outfile;
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
