import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './usage-error';

export interface BinarySearch {
  /** Folders whose node_modules/.bin (and their parents') are searched: default the working folder and this module's. */
  readonly from?: readonly string[];
  /** The PATH searched after them (default process.env.PATH). */
  readonly path?: string;
}

const SUFFIXES = process.platform === 'win32' ? ['.cmd', '.exe', ''] : [''];

function inFolder(dir: string, name: string): string | undefined {
  for (const suffix of SUFFIXES) {
    const candidate = join(dir, `${name}${suffix}`);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * A runtime's executable (bun, deno): the npm copy in node_modules/.bin of the working folder, of the folder
 * this command is installed in, or of their parents; else the one on PATH; undefined when there is none. So
 * `node packages/cli/bin/unfold.js serve … --runtime bun` finds the workspace's bun without node_modules/.bin
 * on PATH.
 */
export function findRuntimeBinary(name: string, search: BinarySearch = {}): string | undefined {
  for (const start of search.from ?? [process.cwd(), dirname(fileURLToPath(import.meta.url))]) {
    for (let dir = start; ; dir = dirname(dir)) {
      const found = inFolder(join(dir, 'node_modules', '.bin'), name);
      if (found) return found;
      if (dirname(dir) === dir) break;
    }
  }
  for (const dir of (search.path ?? process.env.PATH ?? '').split(delimiter)) {
    const found = dir ? inFolder(dir, name) : undefined;
    if (found) return found;
  }
  return undefined;
}

/** findRuntimeBinary, or a usage error naming the fix. */
export function runtimeBinary(name: string, search?: BinarySearch): string {
  const found = findRuntimeBinary(name, search);
  if (!found) throw new UsageError(`cannot find the ${name} executable (not in node_modules/.bin nor on PATH)`, `install it (npm install ${name}), or put ${name} on PATH, or serve with --runtime node`);
  return found;
}

/**
 * Runs a server process with inherited stdio until it exits, forwarding Ctrl-C and SIGTERM; resolves with
 * its exit code. A process that cannot start (ENOENT, EACCES) rejects with a usage error instead of an
 * unhandled 'error' event.
 */
export function runServerProcess(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.once('SIGINT', forward);
    process.once('SIGTERM', forward);
    const done = () => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      done();
      reject(new UsageError(`cannot start ${command}: ${error.code ?? error.message}`, 'check that it is installed and executable (npm install it, or put it on PATH), or serve with --runtime node'));
    });
    child.once('exit', (code) => {
      done();
      resolve(code ?? 0);
    });
  });
}
