import type { LoadedModel } from '@unfold/runtime';
import type { AutoChoice } from '../engines/auto';
import { ENGINE_LABELS } from '../engines/names';
import { openEngine, type EngineLoaders } from '../engines/load';
import { curlExamples } from '../examples';
import { createHandler, type FetchHandler } from '../handler';
import { defaultAllowedHosts } from '../hosts';
import { staticRegistry } from '../registry';
import { ModelFolderError, loadModelFolder } from './folder';
import { DEFAULT_ORT, OptionsError, parseServerOptions, usage, type JsRuntime, type ServerOptions } from './options';

/**
 * What every server entry does before it listens: parse the command line, load the chosen engine (only
 * that one: the compact engine, or one onnxruntime flavour; `auto` loads onnxruntime only when a file or a
 * call needs it), load the model folder, and build the handler. The entry then hands the handler to its
 * runtime's server API and reports the address with `listening`.
 */
export interface PreparedServer {
  readonly options: ServerOptions;
  readonly handler: FetchHandler;
  readonly models: Readonly<Record<string, LoadedModel>>;
  /** The engine and, under `auto`, what each model runs on: the lines the entry logs at start. */
  readonly engineLines: readonly string[];
}

export interface EntryIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly exit: (code: number) => void;
}

/** An environment variable, or undefined where there is none or it may not be read (Deno without --allow-env). */
function environment(name: string): string | undefined {
  try {
    return typeof process !== 'undefined' ? process.env[name] : undefined;
  } catch {
    return undefined;
  }
}

/** UNFOLD_DEBUG=1 logs stacks of internal errors (server side only). */
function debugging(): boolean {
  return Boolean(environment('UNFOLD_DEBUG'));
}

/**
 * Client aborts (a body cut short) are the client's doing: logged as such, at most one line per
 * CLIENT_ABORT_LOG_MS with the count since the last, so a flood of them cannot flood the log.
 */
const CLIENT_ABORT_LOG_MS = 10_000;

function clientAbortLog(): (request: Request) => void {
  let last = 0;
  let unlogged = 0;
  return (request) => {
    unlogged++;
    const now = Date.now();
    if (now - last < CLIENT_ABORT_LOG_MS) return;
    console.error(`unfold-edge: client aborted ${request.method} ${new URL(request.url).pathname} mid-body${unlogged > 1 ? ` (${unlogged} client aborts since the last line)` : ''}`);
    last = now;
    unlogged = 0;
  };
}

/** How an `auto` choice reads in the start-up log. */
function choiceLine(choice: AutoChoice, fallback: string): string {
  return choice.engine === 'compact' ? `compact (calls above the threshold on ${fallback})` : `${fallback}, because ${choice.because}`;
}

export async function prepareServer(options: ServerOptions, runtime: JsRuntime, loaders?: EngineLoaders): Promise<PreparedServer> {
  const fallback = DEFAULT_ORT[runtime] === 'node' ? 'ort-node' : 'ort-web';
  const engine = await openEngine({ engine: options.engine, fallback, threads: options.threads, ...(loaders ? { loaders } : {}) });
  const models = await loadModelFolder(engine.runtime, options.models, engine.sessionOptions);
  // A multi-entry model makes one choice per file: each distinct line once.
  const engineLines = [...new Set([`unfold-edge: ${engine.summary}`, ...engine.choices().map(({ model, choice }) => `unfold-edge: model ${model} runs on ${choiceLine(choice, ENGINE_LABELS[fallback])}`)])];
  const about = { runtime, ...engine.about };
  const handler = createHandler({
    models: staticRegistry(models),
    limits: options.limits,
    allowedHosts: defaultAllowedHosts(options.host, options.allowedHosts),
    about,
    onInternalError: (error, request) => {
      const detail = error instanceof Error ? (debugging() ? error.stack : `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}`) : String(error);
      console.error(`unfold-edge: internal error on ${request.method} ${new URL(request.url).pathname}: ${detail}`);
    },
    onClientAbort: clientAbortLog(),
  });
  return { options, handler, models, engineLines };
}

/** `http://host:port`, with an IPv6 host in brackets. */
export function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The lines an entry prints once it listens: models, the address (tests read `listening on`), examples. */
export function listeningLines(prepared: PreparedServer, url: string): string[] {
  const models = Object.values(prepared.models).map((m) => `unfold-edge: model ${m.name} (${m.describe().format}: ${m.describe().operations.join(', ')})`);
  const examples = Object.values(prepared.models).flatMap((m) => curlExamples(url, m.describe()));
  return [...prepared.engineLines, ...models, `unfold-edge: listening on ${url}`, 'unfold-edge: try', ...examples.map((line) => `  ${line}`)];
}

/**
 * Runs an entry: on --help prints usage; on a usage mistake or an unloadable model prints one line
 * and exits 2; otherwise calls `listen` with the prepared server.
 */
export async function runEntry(runtime: JsRuntime, argv: readonly string[], io: EntryIo, listen: (prepared: PreparedServer) => Promise<string>): Promise<void> {
  try {
    const options = parseServerOptions(argv, runtime, { UNFOLD_ENGINE: environment('UNFOLD_ENGINE') });
    if (options.help) {
      io.out(usage(runtime));
      return;
    }
    const prepared = await prepareServer(options, runtime);
    const url = await listen(prepared);
    for (const line of listeningLines(prepared, url)) io.out(line);
  } catch (error) {
    const known = error instanceof OptionsError || error instanceof ModelFolderError;
    io.err(`unfold-edge: ${known ? (error as Error).message : `failed to start: ${error instanceof Error ? error.message : String(error)}`}`);
    io.exit(2);
  }
}
