import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { bundleFromSource } from '@unfold/testing';
import { entryCommand, type JsRuntime, type OrtName } from '../../src/node';

/**
 * Starting the real server entries for end-to-end tests: each entry is bundled from source (workspace
 * packages inlined, npm packages such as onnxruntime left external and resolved from node_modules),
 * started with the runtime's npm binary on 127.0.0.1 with port 0, and read back the port it printed.
 */
export const ROOT = join(import.meta.dirname, '../../../..');
const BIN = join(ROOT, 'node_modules/.bin');

/** This test process's scratch folder for `label` (bundles, model files); remove it when done. */
export function workDir(label: string): string {
  return join(ROOT, '.tmp/edge-e2e', `${label}-${process.pid}`);
}

/** Bundles `src/entries/<runtime>.ts` into the label's work folder and returns the file. */
export function bundleEntry(runtime: JsRuntime, label: string): Promise<string> {
  return bundleFromSource(join(import.meta.dirname, `../../src/entries/${runtime}.ts`), join(workDir(label), `${runtime}.mjs`));
}

export interface RunningEntry {
  readonly label: string;
  readonly url: string;
  /** The server process's id (its memory is read from /proc in the hostile fuzz test). */
  readonly pid: number | undefined;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  alive(): boolean;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly runtime: JsRuntime;
  readonly ort: OrtName;
  readonly entry: string;
  readonly models: string;
  readonly flags?: readonly string[];
}

/** Servers still running: killed when this test process exits, so an aborted run leaves none behind. */
const running = new Set<ChildProcess>();
let cleanupRegistered = false;

function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (cleanupRegistered) return;
  cleanupRegistered = true;
  process.once('exit', () => running.forEach((c) => c.kill('SIGKILL')));
}

/** Starts an entry and resolves with its URL once it prints `listening on`; rejects with its output otherwise. */
export function startEntry(options: StartOptions): Promise<RunningEntry> {
  const bin = options.runtime === 'node' ? process.execPath : join(BIN, options.runtime);
  const { command, args, env } = entryCommand({ ...options, bin, port: 0 });
  const child: ChildProcess = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  const label = `${options.runtime}/onnxruntime-${options.ort}`;
  let stdout = '';
  let stderr = '';
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail('did not print "listening on" within 60 s'), 60_000);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${label} ${why}\nstdout: ${stdout}\nstderr: ${stderr}`));
    };
    const early = (code: number | null) => fail(`exited with ${code} before listening`);
    child.once('exit', early);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      child.off('exit', early);
      resolve({
        label,
        url: match[1] as string,
        pid: child.pid,
        stderr: () => stderr,
        alive: () => !exited,
        stop: async () => {
          if (exited) return;
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exit;
          clearTimeout(timer);
        },
      });
    });
  });
}
