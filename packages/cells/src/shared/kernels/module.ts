/**
 * The training kernels' WebAssembly module on the host side: which build runs, on how many threads.
 *
 * Builds (scripts/build-kernels.mjs, from the AssemblyScript sources): SIMD + relaxed SIMD (fused
 * multiply-add) and SIMD alone, each over a private or a shared memory that the host creates and the
 * module imports. The first build `WebAssembly.validate` accepts is compiled once, on the first kernel
 * call (synchronously: Node, Deno, Bun and Web Workers allow it; where a page's main thread refuses a
 * synchronous compile, as older Chromium did for modules over 4 KB, the tfjs path runs until
 * `loadKernels()` has compiled them asynchronously).
 *
 * Threads: with 2 threads (the default where the runtime has 2+ cores, SharedArrayBuffer and Node's
 * worker_threads: Node, Bun, Deno), the memory is shared and a second thread (threads.ts) runs half of
 * each batch; elsewhere (browsers, Workers) one thread runs everything. Chosen when the kernels load.
 *
 * Off: where no build validates, or `UNFOLD_KERNELS=off` is set, or `useKernels('off')` was called,
 * the cells run their tfjs fused path; both compute the same equations (tests compare them).
 */
import { ConfigError } from '@unfold/core/errors';
import type { KernelFunction } from './functions';
import { RELAXED_SIMD_SHARED_WASM, RELAXED_SIMD_WASM, SIMD_SHARED_WASM, SIMD_WASM } from './generated/wasm';
import { KernelHeap } from './heap';
import { ensureMemory } from './session';
import { availableCores, startKernelThread, workerThreadsModule, type KernelThread } from './threads';

/** `auto`: the kernels where the runtime has WebAssembly SIMD; `off`: always the tfjs path. */
export type KernelMode = 'auto' | 'off';

/** Which kernel build runs: `relaxed-simd`, `simd`, or `none` (the tfjs path). */
export type KernelBuild = 'relaxed-simd' | 'simd' | 'none';

export interface KernelOptions {
  /** Threads for the kernels, 1 or 2 (default: 2 where shared memory and worker threads exist and there are 2+ cores). Read when the kernels load. */
  readonly threads?: 1 | 2;
}

export type Pointer = number;

/** The module's exports: plain functions over byte addresses (Pointer) in its memory. */
export type KernelExports = Readonly<Record<KernelFunction, (...args: number[]) => void>> & { heapBase(): Pointer; sumOfSquares(n: number, g: Pointer): number };

export type { KernelFunction } from './functions';

/** A loaded build: its exports over `memory`, and the second thread when the memory is shared. */
export interface Kernels {
  readonly build: Exclude<KernelBuild, 'none'>;
  readonly exports: KernelExports;
  readonly memory: WebAssembly.Memory;
  readonly thread: KernelThread | undefined;
  /** Buffers that outlive a call (what forwards keep for their backwards), above the module's own data. */
  readonly heap: KernelHeap;
}

let mode: KernelMode | undefined;
let threads: 1 | 2 | undefined;
/** The kernels once loaded; `none` where no build runs; `async-only` where a synchronous compile was refused. */
let loaded: Kernels | 'none' | 'async-only' | undefined;

const MAXIMUM_PAGES = 65536;

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(text.length));
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function environment(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}

/** An environment variable that must be one of `allowed` when set (empty counts as unset). */
function environmentChoice<T extends string>(name: string, allowed: readonly T[]): T | undefined {
  const value = environment(name);
  if (value === undefined || value === '') return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(`invalid ${name}`, { where: 'the environment', expected: allowed.map((a) => JSON.stringify(a)).join(' or '), got: JSON.stringify(value), fix: `set ${name} to ${allowed.join(' or ')}, or unset it for the default` });
}

function wantedThreads(): 1 | 2 {
  if (threads) return threads;
  const fromEnvironment = environmentChoice('UNFOLD_KERNEL_THREADS', ['1', '2'] as const);
  if (fromEnvironment) return Number(fromEnvironment) as 1 | 2;
  return workerThreadsModule() && typeof SharedArrayBuffer === 'function' && availableCores() >= 2 ? 2 : 1;
}

interface Choice {
  readonly build: Exclude<KernelBuild, 'none'>;
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly shared: boolean;
}

/** The best build this runtime validates: relaxed SIMD before SIMD, shared memory when two threads are wanted. */
function choose(): Choice | undefined {
  const builds = [
    { build: 'relaxed-simd' as const, shared: true, base64: RELAXED_SIMD_SHARED_WASM },
    { build: 'simd' as const, shared: true, base64: SIMD_SHARED_WASM },
    { build: 'relaxed-simd' as const, shared: false, base64: RELAXED_SIMD_WASM },
    { build: 'simd' as const, shared: false, base64: SIMD_WASM },
  ].filter((b) => !b.shared || wantedThreads() === 2);
  for (const { build, shared, base64 } of builds) {
    const bytes = decode(base64);
    if (WebAssembly.validate(bytes)) return { build, bytes, shared };
  }
  return undefined;
}

/** The second thread, or none where the runtime refuses to start it (the shared memory then serves one thread). */
function startThread(module: WebAssembly.Module, memory: WebAssembly.Memory, control: Pointer): KernelThread | undefined {
  try {
    return startKernelThread(module, memory, control);
  } catch {
    return undefined;
  }
}

function instantiate(module: WebAssembly.Module, { build, shared }: Pick<Choice, 'build' | 'shared'>): Kernels {
  const memory = shared ? new WebAssembly.Memory({ initial: 1, maximum: MAXIMUM_PAGES, shared: true }) : new WebAssembly.Memory({ initial: 1 });
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
  const control = Math.ceil(exports.heapBase() / 64) * 64;
  const thread = shared ? startThread(module, memory, control) : undefined;
  const heap = new KernelHeap(thread ? thread.heapStart : control, (end) => ensureMemory(memory, end));
  return { build, exports, memory, thread, heap };
}

/**
 * Chooses the kernels: `off` makes every cell use its tfjs fused path from the next call on; `auto`
 * (the default, unless the environment sets UNFOLD_KERNELS=off) uses the kernels where they run.
 * `threads` (or UNFOLD_KERNEL_THREADS=1|2) applies when the kernels load, before their first use.
 */
export function useKernels(wanted: KernelMode, options: KernelOptions = {}): void {
  if (wanted !== 'auto' && wanted !== 'off') throw new TypeError(`useKernels: expected "auto" or "off", got ${JSON.stringify(wanted)}`);
  if (options.threads !== undefined && options.threads !== 1 && options.threads !== 2) {
    throw new TypeError(`useKernels: threads must be 1 or 2, got ${JSON.stringify(options.threads)}`);
  }
  mode = wanted;
  if (options.threads !== undefined) threads = options.threads;
}

/**
 * Runs the kernels from a module compiled elsewhere instead of the embedded bytes: for hosts that forbid
 * compiling WebAssembly at run time, such as Cloudflare Workers, where wrangler compiles an imported
 * `.wasm` file at upload. Pass the SIMD build the package ships (`@unfold/cells/kernels-simd.wasm`); it runs
 * on one thread. Replaces whatever build was loaded.
 */
export function useKernelModule(module: WebAssembly.Module, build: Exclude<KernelBuild, 'none'> = 'simd'): KernelBuild {
  if (!(module instanceof WebAssembly.Module)) throw new TypeError(`useKernelModule: expected a WebAssembly.Module (the compiled kernels-simd.wasm), got ${Object.prototype.toString.call(module)}`);
  loaded = instantiate(module, { build, shared: false });
  return kernelBuild();
}

/** Compiles the kernels asynchronously (for a browser's main thread) and tells which build runs. */
export async function loadKernels(): Promise<KernelBuild> {
  if (!loaded || loaded === 'async-only') {
    const choice = choose();
    loaded = choice ? instantiate(await WebAssembly.compile(choice.bytes), choice) : 'none';
  }
  return kernelBuild();
}

/** The build the next kernel call uses (`none` when off or unavailable); compiles on first use. */
export function kernelBuild(): KernelBuild {
  return activeKernels()?.build ?? 'none';
}

/** How many threads the kernels run on (0 when the tfjs path runs). */
export function kernelThreads(): number {
  const kernels = activeKernels();
  return kernels ? (kernels.thread?.whenReady() ? 2 : 1) : 0;
}

/** The loaded kernels, or undefined when the tfjs path runs. */
export function activeKernels(): Kernels | undefined {
  if ((mode ?? environmentChoice('UNFOLD_KERNELS', ['auto', 'off'] as const) ?? 'auto') === 'off') return undefined;
  if (!loaded) {
    const choice = choose();
    try {
      loaded = choice ? instantiate(new WebAssembly.Module(choice.bytes), choice) : 'none';
    } catch {
      loaded = 'async-only'; // a browser's main thread refuses a synchronous compile: the tfjs path until loadKernels() ran
    }
  }
  return typeof loaded === 'string' ? undefined : loaded;
}
