import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './servers';

/**
 * `wrangler dev` (workerd underneath) for the Workers end-to-end test: started once on 127.0.0.1 with a
 * free port, in its own process group so that stopping it also stops the workerd processes it spawns.
 * The environment turns off everything wrangler would look up outside 127.0.0.1 (metrics, the `cf`
 * object, the update check behind its banner).
 */
export const WRANGLER_ENV: Readonly<Record<string, string>> = {
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  WRANGLER_LOG: 'info',
};

export const WRANGLER_BIN = join(ROOT, 'node_modules/wrangler/bin/wrangler.js');

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningWorker {
  readonly url: string;
  output(): string;
  alive(): boolean;
  stop(): Promise<void>;
}

const groups = new Set<number>();
let cleanupRegistered = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function track(child: ChildProcess): void {
  const pid = child.pid as number;
  groups.add(pid);
  child.once('exit', () => groups.delete(pid));
  if (cleanupRegistered) return;
  cleanupRegistered = true;
  process.once('exit', () => groups.forEach((group) => killGroup(group, 'SIGKILL')));
}

/** Starts `wrangler dev -c config` and resolves once it answers GET /health (at most `timeoutMs`). */
export async function startWranglerDev(config: string, timeoutMs = 90_000): Promise<RunningWorker> {
  const [port, inspector] = [await freePort(), await freePort()];
  const args = [WRANGLER_BIN, 'dev', '-c', config, '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector), '--show-interactive-dev-session=false', '--log-level', 'warn'];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...WRANGLER_ENV }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  track(child);
  let output = '';
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited) return;
    killGroup(child.pid as number, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child.pid as number, 'SIGKILL'), 5000);
    await exit;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !exited) {
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
      await response.text();
      if (response.ok) return { url, output: () => output, alive: () => !exited, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`wrangler dev ${exited ? 'exited' : `did not answer within ${timeoutMs} ms`}\n${output}`);
}
