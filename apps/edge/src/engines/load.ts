import { createRuntime, type OrtModule, type Runtime, type SessionOptions } from '@unfold/runtime';
import { loadOrtNode } from '../server/ort-node';
import { loadOrtWeb } from '../server/ort-web';
import { autoFlavour, type AutoChoice, type AutoRule } from './auto';
import { ENGINE_LABELS, type ConcreteEngine, type EngineName } from './names';

/** `@unfold/engine` as this app uses it: onnxruntime's module shape, plus its version. */
export type CompactModule = OrtModule & { readonly version: string };

/** How each engine's library is loaded: on demand, only the one asked for (tests inject their own). */
export interface EngineLoaders {
  compact(threads: number): Promise<CompactModule>;
  ortNode(): Promise<OrtModule>;
  ortWeb(threads: number): Promise<OrtModule>;
}

/**
 * The compact engine: TypeScript, with the recurrent operators on unfold's WebAssembly SIMD kernels
 * (`@unfold/cells/kernels`, 16 KB per build) where they load; nothing native, no large WebAssembly, so it
 * loads in tens of milliseconds. `threads` (the server's `--threads`) sets the kernels' threads, 1 or 2: a second
 * kernel thread takes tens of milliseconds to start at the first run and helps only large calls, so a
 * server keeps the default of one.
 */
export async function loadCompact(threads: number): Promise<CompactModule> {
  const [module, kernels] = await Promise.all([import('@unfold/engine'), import('@unfold/cells/kernels')]);
  kernels.useKernels('auto', { threads: threads >= 2 ? 2 : 1 });
  const engine = module as unknown as CompactModule & { default?: CompactModule };
  return engine.default ?? engine;
}

export const DEFAULT_LOADERS: EngineLoaders = Object.freeze({ compact: loadCompact, ortNode: loadOrtNode, ortWeb: loadOrtWeb });

/**
 * `auto`'s threshold: calls whose largest input has at most this many numbers run on the compact engine.
 * Measured on the LSTM H128 T64 export (tools/bench/src/engine-speed.mjs; docs/engines.md has the figures):
 * compact stays within 1 ms of onnxruntime-node at batch 1 (64 steps × 32 features) and falls further
 * behind at every larger batch, so larger calls go to onnxruntime-node, loaded at the first one.
 */
export const AUTO_RULE: AutoRule = Object.freeze({ maxCompactElements: 1 * 64 * 32 });

export interface EngineOptions {
  readonly engine: EngineName;
  /** `auto`'s onnxruntime flavour: onnxruntime-node on Node, onnxruntime-web elsewhere. */
  readonly fallback?: Exclude<ConcreteEngine, 'compact'>;
  /** Threads per model: wasm threads for ort-web, intra-op threads for ort-node, kernel threads (1 or 2) for compact (default 1). */
  readonly threads?: number;
  readonly loaders?: EngineLoaders;
  readonly rule?: AutoRule;
}

/** Under `auto`, what one loaded file runs on. */
export interface ModelChoice {
  /** The model's name as loaded (`load`'s `name`, or `loadEntries`' name). */
  readonly model: string;
  readonly choice: AutoChoice;
}

/** An engine ready to load models: the runtime over it, its session options, and what /health shows of it. */
export interface OpenedEngine {
  readonly name: EngineName;
  /** A runtime whose `load`/`loadEntries` first check, for `compact`, that the engine runs every node. */
  readonly runtime: Runtime;
  readonly sessionOptions: SessionOptions | undefined;
  /** For /health: `engine`, and `compact` and `onnxruntime` versions where they apply. */
  readonly about: Readonly<Record<string, unknown>>;
  /** One line for the start-up log: what serves and why. */
  readonly summary: string;
  /** Under `auto`, what each file loaded so far runs on (empty for the other engines). */
  choices(): readonly ModelChoice[];
}

/**
 * A runtime that records, for every file it loads, the choice `auto` made, under the model's name. Loads
 * that overlap would mix names, so callers load models one after another (as the folder loader does).
 */
function recordingRuntime(runtime: Runtime, current: { model: string }): Runtime {
  return {
    versions: runtime.versions,
    load(bytes, options) {
      current.model = options?.name ?? 'model';
      return runtime.load(bytes, options);
    },
    loadEntries(name, files, options) {
      current.model = name;
      return runtime.loadEntries(name, files, options);
    },
  };
}

function ortOf(engine: Exclude<ConcreteEngine, 'compact'>, loaders: EngineLoaders, threads: number): Promise<OrtModule> {
  return engine === 'ort-node' ? loaders.ortNode() : loaders.ortWeb(threads);
}

/** Loads the library of `options.engine` (and nothing else: `auto` loads onnxruntime only when a file or call needs it). */
export async function openEngine(options: EngineOptions): Promise<OpenedEngine> {
  const loaders = options.loaders ?? DEFAULT_LOADERS;
  const threads = options.threads ?? 1;
  const fallback = options.fallback ?? 'ort-node';
  // onnxruntime-node would otherwise use every core per session; threads sets it as it does for web.
  const nodeOptions: SessionOptions = { intraOpNumThreads: threads, interOpNumThreads: 1 };
  if (options.engine === 'compact') {
    const compact = await loaders.compact(threads);
    return {
      name: 'compact',
      runtime: createRuntime(compact),
      sessionOptions: undefined,
      about: { engine: 'compact', compact: { version: compact.version } },
      summary: `engine compact: ${ENGINE_LABELS.compact} ${compact.version}`,
      choices: () => [],
    };
  }
  if (options.engine === 'auto') {
    const compact = await loaders.compact(threads);
    const rule = options.rule ?? AUTO_RULE;
    const choices: ModelChoice[] = [];
    const current = { model: 'model' };
    const flavour = autoFlavour({ compact, fallback: () => ortOf(fallback, loaders, threads), rule, onChoice: (choice) => choices.push({ model: current.model, choice }) });
    return {
      name: 'auto',
      runtime: recordingRuntime(createRuntime(flavour), current),
      choices: () => [...choices],
      sessionOptions: fallback === 'ort-node' ? nodeOptions : undefined,
      about: { engine: 'auto', compact: { version: compact.version }, onnxruntime: { flavour: ENGINE_LABELS[fallback] } },
      summary: `engine auto: ${ENGINE_LABELS.compact} ${compact.version} for files it runs and calls whose largest input has at most ${rule.maxCompactElements} numbers, ${ENGINE_LABELS[fallback]} (loaded on first need) otherwise`,
    };
  }
  const runtime = createRuntime(await ortOf(options.engine, loaders, threads));
  const versions = Object.entries(runtime.versions).map(([k, v]) => `${k} ${v}`).join(', ');
  return {
    name: options.engine,
    runtime,
    sessionOptions: options.engine === 'ort-node' ? nodeOptions : undefined,
    about: { engine: options.engine, onnxruntime: { flavour: ENGINE_LABELS[options.engine], ...runtime.versions } },
    summary: `engine ${options.engine}: ${ENGINE_LABELS[options.engine]}${versions ? ` (${versions})` : ''}`,
    choices: () => [],
  };
}
