import { engineOfOrt, ENGINE_NAMES, isEngineName, type EngineName } from '../engines/names';
import { DEFAULT_EDGE_LIMITS, type EdgeLimits } from '../limits';

/**
 * The command line every server entry (node, bun, deno) shares. Parsed by hand so it runs on each
 * runtime without its argument library; a mistake is an OptionsError naming the fix.
 */
export type JsRuntime = 'node' | 'bun' | 'deno';
export type OrtName = 'node' | 'web';

export interface ServerOptions {
  /** A folder of .onnx files (each served under its file stem) or one .onnx file. */
  readonly models: string;
  readonly host: string;
  /** 0 picks a free port (the entry prints the one it got). */
  readonly port: number;
  /** `--engine`, else `UNFOLD_ENGINE`, else the runtime's default (DEFAULT_ENGINE); `--ort node|web` is `ort-node|ort-web`. */
  readonly engine: EngineName;
  /** onnxruntime threads per model: wasm threads for web (Deno supports only 1), intra-op threads for node (default 1). */
  readonly threads: number;
  readonly limits: EdgeLimits;
  /** `--allowed-hosts`: Host names answered besides the localhost names and `host` (`*`: any). */
  readonly allowedHosts: readonly string[];
  readonly help: boolean;
}

export class OptionsError extends Error {
  override readonly name = 'OptionsError';
}

/** The ORT flavour each runtime uses unless told otherwise (for `--ort`, and `auto`'s fallback). */
export const DEFAULT_ORT: Readonly<Record<JsRuntime, OrtName>> = Object.freeze({ node: 'node', bun: 'web', deno: 'web' });

/** The engine each runtime uses when neither `--engine` nor `UNFOLD_ENGINE` says. */
export const DEFAULT_ENGINE: Readonly<Record<JsRuntime, EngineName>> = Object.freeze({ node: 'ort-node', bun: 'ort-web', deno: 'ort-web' });

const VALUE_FLAGS = new Set(['--models', '--host', '--port', '--engine', '--ort', '--threads', '--allowed-hosts']);

const LIMIT_FLAGS: Readonly<Record<string, keyof EdgeLimits>> = {
  '--max-body-bytes': 'maxBodyBytes',
  '--max-batch': 'maxBatch',
  '--max-time': 'maxTime',
  '--max-elements': 'maxElements',
  '--max-rollout-steps': 'maxRolloutSteps',
  '--max-steps': 'maxSteps',
  '--max-output-elements': 'maxOutputElements',
  '--max-nodes': 'maxNodes',
  '--max-depth': 'maxDepth',
  '--max-json-depth': 'maxJsonDepth',
  '--max-response-bytes': 'maxResponseBytes',
  '--max-concurrent': 'maxConcurrent',
  '--max-queue': 'maxQueue',
  '--heavy-body-bytes': 'heavyBodyBytes',
  '--max-heavy-concurrent': 'maxHeavyConcurrent',
  '--max-heavy-queue': 'maxHeavyQueue',
  '--max-request-ms': 'maxRequestMs',
  '--max-write-ms': 'maxWriteMs',
};

export function usage(runtime: JsRuntime): string {
  const command = { node: 'node dist/entries/node.js', bun: 'bun dist/entries/bun.js', deno: 'deno run --allow-net=127.0.0.1 --allow-read [--allow-env --allow-ffi for --engine ort-node] dist/entries/deno.js' }[runtime];
  return `unfold edge server (${runtime})

Usage: ${command} --models <folder | model.onnx> [options]

Options:
  --models <path>             a folder of .onnx files (served under their file names without .onnx) or one file
  --host <host>               interface to listen on (default 127.0.0.1)
  --port <n>                  port (default 8080; 0 picks a free one)
  --engine <${ENGINE_NAMES.join('|')}>
                              inference engine (default ${DEFAULT_ENGINE[runtime]}, or the UNFOLD_ENGINE variable): compact
                              runs unfold's exports without onnxruntime (docs/engines.md); ort-node and ort-web are
                              onnxruntime (any ONNX file${runtime === 'deno' ? '; ort-node needs --allow-env --allow-ffi' : ''}); auto picks compact for the files and
                              calls it suits (docs/engines.md)
  --ort <node|web>            the same as --engine ort-node | ort-web
  --threads <n>               threads per model: ort-web wasm threads, ort-node intra-op threads, compact
                              kernel threads (1 or 2); default 1
  --max-body-bytes <n>        request body cap (default ${DEFAULT_EDGE_LIMITS.maxBodyBytes})
  --max-batch <n>             sequences per request (default ${DEFAULT_EDGE_LIMITS.maxBatch})
  --max-time <n>              steps per sequence per request (default ${DEFAULT_EDGE_LIMITS.maxTime})
  --max-elements <n>          input numbers per request (default ${DEFAULT_EDGE_LIMITS.maxElements})
  --max-rollout-steps <n>     steps one rollout may generate (default ${DEFAULT_EDGE_LIMITS.maxRolloutSteps})
  --max-steps <n>             model steps per request, batch × longest sequence (default ${DEFAULT_EDGE_LIMITS.maxSteps})
  --max-output-elements <n>   numbers in one answer (default ${DEFAULT_EDGE_LIMITS.maxOutputElements})
  --max-nodes <n>             tree models: nodes in all the trees of a request (default ${DEFAULT_EDGE_LIMITS.maxNodes})
  --max-depth <n>             tree models: depth of a tree, the root at 0 (default ${DEFAULT_EDGE_LIMITS.maxDepth})
  --max-json-depth <n>        nesting depth of a request body (default ${DEFAULT_EDGE_LIMITS.maxJsonDepth})
  --max-response-bytes <n>    bytes of one answer (default ${DEFAULT_EDGE_LIMITS.maxResponseBytes})
  --max-concurrent <n>        inferences running at once (default ${DEFAULT_EDGE_LIMITS.maxConcurrent})
  --max-queue <n>             inferences waiting; beyond it 503 + Retry-After (default ${DEFAULT_EDGE_LIMITS.maxQueue})
  --heavy-body-bytes <n>      bodies above this run in the heavy lane (default ${DEFAULT_EDGE_LIMITS.heavyBodyBytes})
  --max-heavy-concurrent <n>  heavy inferences running at once (default ${DEFAULT_EDGE_LIMITS.maxHeavyConcurrent})
  --max-heavy-queue <n>       heavy inferences waiting (default ${DEFAULT_EDGE_LIMITS.maxHeavyQueue})
  --max-request-ms <n>        time budget of one request; beyond it 503 (default ${DEFAULT_EDGE_LIMITS.maxRequestMs})
  --max-write-ms <n>          time a client has to read an answer (default ${DEFAULT_EDGE_LIMITS.maxWriteMs})
  --allowed-hosts <a,b|*>     Host names answered besides localhost and --host (default none; * any)
  -h, --help                  show this help

API: see apps/edge/API.md (GET /health, GET /models, POST /models/:name/predict|stream|rollout|generate).
`;
}

function integer(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) throw new OptionsError(`${flag} must be an integer in [${min}, ${max}]; got ${JSON.stringify(text)}`);
  return value;
}

/** An engine name from `--engine`, `--ort` or `UNFOLD_ENGINE`; anything else is an OptionsError naming the values. */
function engineValue(source: string, value: string): EngineName {
  if (source === '--ort') {
    if (value !== 'node' && value !== 'web') throw new OptionsError(`--ort must be node or web; got ${JSON.stringify(value)} (or use --engine ${ENGINE_NAMES.join('|')})`);
    return engineOfOrt(value);
  }
  if (!isEngineName(value)) throw new OptionsError(`${source} must be one of ${ENGINE_NAMES.join(', ')}; got ${JSON.stringify(value)}`);
  return value;
}

/**
 * The entry's options from its command line; `env` is where `UNFOLD_ENGINE` is read (the entry passes what
 * it could read of its environment: Deno without `--allow-env` reads nothing).
 */
export function parseServerOptions(argv: readonly string[], runtime: JsRuntime, env: { readonly UNFOLD_ENGINE?: string | undefined } = {}): ServerOptions {
  let models: string | undefined;
  let host = '127.0.0.1';
  let port = 8080;
  let engine: EngineName | undefined;
  let threads = 1;
  let help = false;
  let allowedHosts: string[] = [];
  const limits: Record<string, number> = { ...DEFAULT_EDGE_LIMITS };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = (argv[i] as string).split(/=(.*)/s, 2) as [string, string | undefined];
    if (flag === '-h' || flag === '--help') {
      help = true;
      continue;
    }
    if (!VALUE_FLAGS.has(flag) && !(flag in LIMIT_FLAGS)) throw new OptionsError(`unknown option ${JSON.stringify(flag)} (see --help)`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new OptionsError(`${flag} needs a value`);
    if (flag === '--models') models = value;
    else if (flag === '--host') host = value;
    else if (flag === '--allowed-hosts') allowedHosts = value.split(',').map((h) => h.trim()).filter(Boolean);
    else if (flag === '--port') port = integer(flag, value, 0, 65535);
    else if (flag === '--threads') threads = integer(flag, value, 1, 64);
    else if (flag === '--ort' || flag === '--engine') {
      const chosen = engineValue(flag, value);
      if (engine !== undefined && engine !== chosen) throw new OptionsError(`${flag} ${value} contradicts the engine given before (${engine}); pass one --engine`);
      engine = chosen;
    } else limits[LIMIT_FLAGS[flag] as string] = integer(flag, value, 1);
  }
  if (!help && models === undefined) throw new OptionsError('--models is required: a folder of .onnx files or one .onnx file');
  engine ??= env.UNFOLD_ENGINE ? engineValue('UNFOLD_ENGINE', env.UNFOLD_ENGINE) : DEFAULT_ENGINE[runtime];
  return { models: models ?? '', host, port, engine, threads, limits: limits as unknown as EdgeLimits, allowedHosts, help };
}
