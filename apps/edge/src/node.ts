// Node-only helpers of @unfold/edge, for `unfold serve` and tests: serve in this process, or build the
// command line that starts a server entry under Node, Bun or Deno.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { curlExamples } from './examples';
import { DEFAULT_EDGE_LIMITS, type EdgeLimits } from './limits';
import { createNodeServer } from './node/adapter';
import { engineOfOrt, type EngineName } from './engines/names';
import type { EngineLoaders } from './engines/load';
import { DEFAULT_ENGINE, type JsRuntime, type OrtName } from './server/options';
import { prepareServer, urlOf } from './server/start';

export { createNodeServer, nodeListener, type NodeServerOptions } from './node/adapter';
export { DEFAULT_ENGINE, DEFAULT_ORT, parseServerOptions, usage, type JsRuntime, type OrtName, type ServerOptions } from './server/options';
export { ENGINE_LABELS, ENGINE_NAMES, engineOfOrt, isEngineName, type ConcreteEngine, type EngineName } from './engines/names';
export { AUTO_RULE, DEFAULT_LOADERS, loadCompact, openEngine, type CompactModule, type EngineLoaders, type EngineOptions, type ModelChoice, type OpenedEngine } from './engines/load';
export { autoFlavour, type AutoChoice, type AutoRule } from './engines/auto';
export { ModelFolderError, loadModelFolder } from './server/folder';

export interface ServeOptions {
  /** A folder of .onnx files or one .onnx file. */
  readonly models: string;
  readonly host?: string;
  /** Default 8080; 0 picks a free port. */
  readonly port?: number;
  /** Default `ort-node` (onnxruntime-node); see docs/engines.md. */
  readonly engine?: EngineName;
  /** The older way to say `engine: 'ort-node' | 'ort-web'` (ignored when `engine` is given). */
  readonly ort?: OrtName;
  readonly threads?: number;
  /** How engines are loaded (tests inject their own). */
  readonly loaders?: EngineLoaders;
  readonly limits?: Partial<EdgeLimits>;
  /** Host names answered besides the localhost names and `host` (`*`: any); see hosts.ts. */
  readonly allowedHosts?: readonly string[];
}

export interface RunningServer {
  readonly url: string;
  readonly models: readonly string[];
  /** The engine that serves, and under `auto` what each model runs on (what the entries log at start). */
  readonly engineLines: readonly string[];
  /** A curl command for every operation of every model (what the entries print). */
  readonly examples: readonly string[];
  close(): Promise<void>;
}

/** Loads the models and serves them from this Node process; resolves once listening. */
export async function serveNode(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const prepared = await prepareServer(
    { models: options.models, host, port: options.port ?? 8080, engine: options.engine ?? (options.ort ? engineOfOrt(options.ort) : DEFAULT_ENGINE.node), threads: options.threads ?? 1, limits: { ...DEFAULT_EDGE_LIMITS, ...options.limits }, allowedHosts: options.allowedHosts ?? [], help: false },
    'node',
    options.loaders,
  );
  const server: Server = createNodeServer(prepared.handler, { writeTimeoutMs: prepared.options.limits.maxWriteMs });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(prepared.options.port, host, () => resolve());
  });
  const url = urlOf(host, (server.address() as AddressInfo).port);
  return {
    url,
    models: Object.keys(prepared.models),
    engineLines: prepared.engineLines,
    examples: Object.values(prepared.models).flatMap((m) => curlExamples(url, m.describe())),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(Object.values(prepared.models).map((m) => m.release()));
    },
  };
}

export interface EntryCommandOptions {
  readonly runtime: JsRuntime;
  /** The bundled entry: `@unfold/edge/entries/<runtime>` (dist/entries/<runtime>.js). */
  readonly entry: string;
  /** The runtime's executable (default `node` = this process's, `bun`, `deno` on PATH). */
  readonly bin?: string;
  readonly models: string;
  readonly host?: string;
  readonly port?: number;
  /** Default: `ort` when given, else the runtime's DEFAULT_ENGINE. */
  readonly engine?: EngineName;
  /** The older way to say `engine: 'ort-node' | 'ort-web'`. */
  readonly ort?: OrtName;
  /** Extra server flags (`--max-batch 8`, …). */
  readonly flags?: readonly string[];
}

/** The executable, arguments and environment that start a server entry, Deno's permissions included. */
export function entryCommand(options: EntryCommandOptions): { command: string; args: string[]; env: Record<string, string> } {
  const host = options.host ?? '127.0.0.1';
  const engine = options.engine ?? (options.ort ? engineOfOrt(options.ort) : DEFAULT_ENGINE[options.runtime]);
  const serverArgs = ['--models', options.models, '--host', host, '--port', String(options.port ?? 8080), '--engine', engine, ...(options.flags ?? [])];
  const env = { ORT_DISABLE_TELEMETRY: '1', DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
  if (options.runtime === 'node') return { command: options.bin ?? process.execPath, args: [options.entry, ...serverArgs], env };
  if (options.runtime === 'bun') return { command: options.bin ?? 'bun', args: [options.entry, ...serverArgs], env };
  // Every engine needs the network (to listen) and reads (the models; onnxruntime-web its .wasm);
  // onnxruntime-node is a native addon Deno loads through FFI, and the entry sets ORT_DISABLE_TELEMETRY for
  // it. `auto` falls back to onnxruntime-web on Deno (DEFAULT_ORT), so it needs no more.
  const permissions = [`--allow-net=${host}`, '--allow-read', ...(engine === 'ort-node' ? ['--allow-env', '--allow-ffi'] : [])];
  return { command: options.bin ?? 'deno', args: ['run', ...permissions, options.entry, ...serverArgs], env };
}
