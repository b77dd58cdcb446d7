import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { ENGINE_NAMES, engineOfOrt, entryCommand, type EngineName, type JsRuntime } from '@unfold/edge/node';
import type { Io } from '../io';
import { serveOnPort } from '../listen';
import { choiceOption, parseOptions, portOption } from '../options';
import { runServerProcess, runtimeBinary } from '../runtime-binary';
import { UsageError } from '../usage-error';

export const SERVE_HELP = `unfold serve — serve exported models over the edge HTTP API (see apps/edge/API.md)

Usage: unfold serve <model.onnx | folder> [options]

Options:
  --runtime <node|bun|deno|workers>
                              the runtime that serves (default node, in this process; workers runs
                              the Workers entry in workerd through wrangler dev, inside this repository)
  --engine <compact|ort-node|ort-web|auto>
                              the inference engine (default: ort-node on Node, ort-web on Bun and Deno,
                              compact on workers). compact: unfold's own engine, for the files unfold
                              exports, loads no onnxruntime (fits Workers' free plan); ort-node / ort-web:
                              onnxruntime, any ONNX file; auto: compact for the files and calls it suits,
                              onnxruntime for the rest (see docs/engines.md). Logged at start
  --ort <node|web>            the same as --engine ort-node | ort-web
  --host <address>            address to listen on (default 127.0.0.1)
  --port <n>                  port (default 8080; 0 picks a free one)
  --allowed-hosts <a,b|*>     Host names answered besides localhost and --host (default none: a page
                              elsewhere cannot reach the server by DNS rebinding; * answers any)
  -h, --help                  show this help

Endpoints: GET /health, GET /models, POST /models/<name>/<operation> for the operations each model declares
(predict, stream, rollout, generate; apps/edge/API.md). A folder serves
every .onnx file in it under its file name. Prints the address and a curl example for each model and
operation; stops on Ctrl-C. Bun and Deno run the built entry of @unfold/edge with their npm binaries;
workers bundles the models into the Worker (apps/edge/workers: the compact engine's Worker, or with
--engine ort-web onnxruntime-web's) and needs wrangler 4.86 installed.
`;

function builtEntry(runtime: JsRuntime): string {
  try {
    const path = createRequire(import.meta.url).resolve(`@unfold/edge/entries/${runtime}`);
    if (existsSync(path)) return path;
  } catch {
    // reported below
  }
  throw new UsageError(`the ${runtime} entry of @unfold/edge is not built`, 'run npx nx run @unfold/edge:build (or npm run build -w @unfold/edge) first');
}

async function freePort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, host, () => done()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** Serves through workerd: a scratch Worker project bundling the models, run by `wrangler dev`. */
async function serveWorkers(models: string, host: string, requestedPort: number, engine: 'compact' | 'ort-web', io: Io): Promise<number> {
  const require = createRequire(import.meta.url);
  let edgeDir: string;
  let wrangler: string;
  try {
    edgeDir = dirname(require.resolve('@unfold/edge/package.json'));
    wrangler = join(dirname(require.resolve('wrangler/package.json')), 'bin', 'wrangler.js');
  } catch {
    throw new UsageError('serving on workerd needs @unfold/edge and wrangler', 'run it inside the unfold repository after npm install (wrangler 4.86 is a devDependency)');
  }
  const { writeWorkerProject } = (await import(pathToFileURL(join(edgeDir, 'workers', 'models.mjs')).href)) as { writeWorkerProject(path: string, dir: string, vars: Record<string, string>, engine: string): { config: string; names: string[] } };
  const project = writeWorkerProject(models, await mkdtemp(join(tmpdir(), 'unfold-worker-')), {}, engine);
  const port = requestedPort === 0 ? await freePort(host) : requestedPort;
  io.out(`engine ${engine}: ${engine === 'compact' ? 'the compact engine (@unfold/engine)' : 'onnxruntime-web, started by the first request'}\n`);
  io.out(`serving ${project.names.join(', ')} at http://${host}:${port} on workerd (wrangler dev)\n`);
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true' };
  const child = spawn(process.execPath, [wrangler, 'dev', '-c', project.config, '--ip', host, '--port', String(port), '--show-interactive-dev-session=false', '--log-level', 'warn'], { stdio: 'inherit', env });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.once('SIGINT', forward);
  process.once('SIGTERM', forward);
  return new Promise((done) => child.on('exit', (code) => done(code ?? 0)));
}

function waitForSignal(): Promise<void> {
  return new Promise((done) => {
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** `--engine`, or `--ort` (the old spelling), or undefined for the runtime's default; both must agree. */
function engineOption(engine: string | undefined, ort: string | undefined): EngineName | undefined {
  const chosen = engine === undefined ? undefined : choiceOption(engine, 'engine', ENGINE_NAMES, 'compact');
  const old = ort === undefined ? undefined : engineOfOrt(choiceOption(ort, 'ort', ['node', 'web'] as const, 'node'));
  if (chosen && old && chosen !== old) throw new UsageError(`--engine ${chosen} and --ort ${ort} disagree`, 'pass --engine alone');
  return chosen ?? old;
}

/** The engines a runtime can serve with: no onnxruntime-node in workerd, only the two Workers there are. */
function workersEngine(engine: EngineName | undefined): 'compact' | 'ort-web' {
  if (engine === undefined || engine === 'compact' || engine === 'auto') return 'compact';
  if (engine === 'ort-web') return 'ort-web';
  throw new UsageError(`--engine ${engine} does not run on workerd`, 'pass --engine compact (the default) or --engine ort-web with --runtime workers');
}

export async function serve(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseOptions('serve', argv, { runtime: { type: 'string' }, engine: { type: 'string' }, ort: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' }, 'allowed-hosts': { type: 'string' } }, 1);
  if (values.help) {
    io.out(SERVE_HELP);
    return 0;
  }
  const target = positionals[0];
  if (!target) throw new UsageError('missing the model file or folder', 'run unfold serve <model.onnx | folder>');
  const models = resolve(target);
  if (!existsSync(models)) throw new UsageError(`${target} does not exist`, 'pass an exported .onnx file or a folder of them (unfold export makes one)');
  if (!statSync(models).isDirectory() && extname(models) !== '.onnx') throw new UsageError(`${target} is not an .onnx file or a folder`, 'pass an exported .onnx file or a folder of them (unfold export <checkpoint> -o model.onnx makes one)');
  const runtime = choiceOption(values.runtime, 'runtime', ['node', 'bun', 'deno', 'workers'] as const, 'node');
  const engine = engineOption(values.engine, values.ort);
  const host = values.host ?? '127.0.0.1';
  const port = portOption(values.port, 8080);
  const allowedHosts = (values['allowed-hosts'] ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  if (runtime === 'node') {
    const server = await serveOnPort({ models, host, port, allowedHosts, ...(engine ? { engine } : {}) });
    io.out(`${server.engineLines.map((line) => line.replace(/^unfold-edge: /, '')).join('\n')}\nserving ${server.models.join(', ')} at ${server.url}\n${server.examples.join('\n')}\n`);
    await waitForSignal();
    await server.close();
    return 0;
  }
  if (runtime === 'workers') return serveWorkers(models, host, port, workersEngine(engine), io);
  const bin = runtimeBinary(runtime);
  const { command, args, env } = entryCommand({ runtime, entry: builtEntry(runtime), bin, models, host, port, ...(engine ? { engine } : {}), ...(allowedHosts.length ? { flags: ['--allowed-hosts', allowedHosts.join(',')] } : {}) });
  return runServerProcess(command, args, { ...process.env, ...env });
}
