// Child processes of a bench that must not outlive it: every child runs in its own process group
// (detached), so stopping it also stops what it spawned (wrangler → workerd); groups still alive when the
// bench exits are killed. And a free loopback port to give a server.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

const groups = new Set();
const killGroup = (pid, signal) => {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
};
process.once('exit', () => groups.forEach((pid) => killGroup(pid, 'SIGKILL')));
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

/** Spawns `command args` (options: cwd, env); returns { child, output(), exitCode(), stop() }. */
export function startGroup(command, args, { cwd, env }) {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  groups.add(child.pid);
  let output = '';
  let exitCode;
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => ((exitCode = code ?? signal), groups.delete(child.pid), resolve())));
  return {
    child,
    output: () => output,
    exitCode: () => exitCode,
    async stop() {
      if (exitCode !== undefined) return;
      killGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
