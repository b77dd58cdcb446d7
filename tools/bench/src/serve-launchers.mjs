// How the serving bench starts each server it times: the edge entries (Node, Bun, Deno) through
// entryCommand, `unfold serve` through its committed launcher over the built packages, the Workers through
// `wrangler dev`, and a bare node:http server as the floor. Every child runs in its own process group
// (processes.mjs) from the repo root with CHILD_ENV added; each launcher returns { url, server, t0 }.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startGroup } from './processes.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = join(root, 'node_modules/.bin');

/** Everything a child process must not look up outside 127.0.0.1 (brief + platform.md). */
export const CHILD_ENV = { ORT_DISABLE_TELEMETRY: '1', DENO_NO_UPDATE_CHECK: '1', WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true', NO_COLOR: '1' };
Object.assign(process.env, { ORT_DISABLE_TELEMETRY: '1' });

/** Spawns `command args` in its own process group (see processes.mjs), from the repo root, CHILD_ENV added. */
export const start = (command, args, env = {}) => startGroup(command, args, { cwd: root, env: { ...process.env, ...CHILD_ENV, ...env } });

/** The Node/Bun/Deno entries through entryCommand (Deno's permissions included), on a port chosen here. */
export function entryLauncher(edge, runtime, engine, entry, models) {
  return async () => {
    const port = await freePort();
    const bin = runtime === 'node' ? process.execPath : join(BIN, runtime);
    const { command, args, env } = edge.entryCommand({ runtime, engine, entry, bin, models, port });
    const t0 = performance.now();
    return { url: `http://127.0.0.1:${port}`, server: start(command, args, env), t0 };
  };
}

/**
 * The floor: a bare `node:http` server answering /health and predict with a constant row of `I` numbers, no
 * unfold and no engine. What Node itself takes from spawn to a first answer on this machine.
 */
export function bareLauncher(I) {
  const script = `const row = JSON.stringify({ outputs: [[Array(${I}).fill(0)]] }); require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => { s.setHeader('content-type', 'application/json'); s.end(row); }); }).listen(Number(process.argv[1]), '127.0.0.1');`;
  return async () => {
    const port = await freePort();
    const t0 = performance.now();
    return { url: `http://127.0.0.1:${port}`, server: start(process.execPath, ['-e', script, String(port)]), t0 };
  };
}

/** `unfold serve` as a user runs it: the committed launcher loading the built command (packages/cli/dist). */
export function cliLauncher(models, engineArgs) {
  return async () => {
    const port = await freePort();
    const args = [join(root, 'packages/cli/bin/unfold.js'), 'serve', models, '--port', String(port), ...engineArgs];
    const t0 = performance.now();
    return { url: `http://127.0.0.1:${port}`, server: start(process.execPath, args), t0 };
  };
}

/** The packages `unfold serve` loads, in build order (each package's own `tsup`, as its build script runs it). */
const SERVE_PACKAGES = ['packages/core', 'packages/runtime', 'packages/cells', 'packages/engine', 'apps/edge', 'packages/cli'];

/** Builds the command and the packages it loads; a failure is reported in the rows. */
export function buildCli() {
  for (const dir of SERVE_PACKAGES) {
    try {
      execFileSync(join(BIN, 'tsup'), [], { cwd: join(root, dir), stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      return `the build of ${dir} failed (tsup): ${String(error.stderr ?? error.message).trim().split('\n').slice(-3).join(' ')}`;
    }
  }
  return null;
}

/** `wrangler dev` on the Worker project (the same arguments as the e2e test's startWranglerDev). */
export function wranglerLauncher(config) {
  return async () => {
    const [port, inspector] = [await freePort(), await freePort()];
    const args = [join(root, 'node_modules/wrangler/bin/wrangler.js'), 'dev', '-c', config, '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector), '--show-interactive-dev-session=false', '--log-level', 'warn'];
    const t0 = performance.now();
    return { url: `http://127.0.0.1:${port}`, server: start(process.execPath, args), t0 };
  };
}
