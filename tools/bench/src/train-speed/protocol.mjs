// The line protocol between the training bench and its contender processes (Node or Python). The parent
// writes one JSON request per line on the child's stdin; the child answers each with one line
// `@@bench <json>` on stdout. Any other stdout line (a library's banner) is passed to stderr with the
// contender's name, so it can neither corrupt an answer nor the bench's own `--json` output. An answer with
// an `error` field rejects the request. One child per contender and configuration: a fresh process starts
// from the same state, and the environment (UNFOLD_KERNELS, OPENBLAS_CORETYPE) is fixed before any import.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export const ANSWER_PREFIX = '@@bench ';

/** Parses a request line in a child; used by the Node contender (the Python one mirrors it). */
export function serve(handle) {
  const lines = createInterface({ input: process.stdin });
  let queue = Promise.resolve();
  lines.on('line', (line) => {
    queue = queue.then(async () => {
      const request = JSON.parse(line);
      let answer;
      try {
        answer = await handle(request);
      } catch (error) {
        answer = { error: error?.stack ?? String(error) };
      }
      process.stdout.write(`${ANSWER_PREFIX}${JSON.stringify(answer ?? {})}\n`);
      if (request.op === 'exit') process.exit(0);
    });
  });
}

/** Starts `file` under `executable` with `env`; returns { request(message) → answer, close() }. */
export function startChild(label, executable, args, env) {
  const child = spawn(executable, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const waiting = [];
  let exited = null;
  const fail = (reason) => {
    exited = reason;
    for (const entry of waiting.splice(0)) entry.reject(new Error(`${label}: ${reason}`));
  };
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith(ANSWER_PREFIX)) return void process.stderr.write(`[${label}] ${line}\n`);
    const answer = JSON.parse(line.slice(ANSWER_PREFIX.length));
    const entry = waiting.shift();
    if (!entry) return;
    if (answer.error) entry.reject(new Error(`${label}: ${answer.error}`));
    else entry.resolve(answer);
  });
  createInterface({ input: child.stderr }).on('line', (line) => process.stderr.write(`[${label}] ${line}\n`));
  child.on('exit', (code, signal) => fail(`exited (code ${code}, signal ${signal}) with ${waiting.length} request(s) unanswered`));
  child.on('error', (error) => fail(error.message));
  return {
    label,
    request(message) {
      if (exited) return Promise.reject(new Error(`${label}: ${exited}`));
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin.write(`${JSON.stringify(message)}\n`);
      });
    },
    async close() {
      if (exited) return;
      const done = new Promise((resolve) => child.once('exit', resolve));
      await this.request({ op: 'exit' }).catch(() => {});
      await done;
    },
  };
}
