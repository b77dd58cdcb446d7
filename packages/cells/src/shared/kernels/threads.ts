/**
 * The kernels' second thread: a Node worker_threads worker (Node, Bun, Deno) with its own instance of
 * the kernels' module over the same shared memory, which runs a list of kernel calls whenever the main
 * thread posts one and blocks in between (Atomics.wait). The main thread runs its own half meanwhile
 * and then blocks until the worker is done: a kernel call stays synchronous, as the tfjs op needs.
 *
 * Control block (CONTROL_BYTES at the start of the host's part of the memory):
 *   Int32 [0] jobs posted, [1] jobs done, [2] calls in the job, [3] 1 when a call threw, [4] 1 once the
 *   worker is ready
 *   Float64 from byte 64: per call (32 slots) the function's index in KERNEL_FUNCTIONS, the argument
 *   count, the arguments.
 * The worker is unref'd: it never keeps a process alive.
 */
import { KERNEL_FUNCTIONS, type KernelFunction } from './functions';
import type { Pointer } from './module';

/** One kernel call: an exported function and its arguments (byte addresses, sizes, flags). */
export interface KernelCall {
  readonly fn: KernelFunction;
  readonly args: readonly number[];
}

export interface KernelThread {
  /** The first byte after the control block: where the host's buffers may start. */
  readonly heapStart: Pointer;
  /**
   * Whether the worker runs, without waiting: false while it starts (the calls run on this thread
   * meanwhile; a Node worker takes ~50 ms, which no kernel call should wait for), true from then on; a
   * worker that has not started READY_MS after it was asked to (a runtime that refuses the script) is
   * stopped and leaves the work to this thread for good.
   */
  ready(): boolean;
  /** `ready()` after waiting for the start (up to READY_MS): for callers that ask how many threads run. */
  whenReady(): boolean;
  /** Starts the calls on the second thread. */
  start(calls: readonly KernelCall[]): void;
  /** Blocks until the started calls are done; throws if one failed. */
  wait(): void;
}

/** At most this many calls in one job of the second thread (KernelSession.parallel posts longer lists in rounds). */
export const MAX_CALLS = 16;
const SLOTS = 32;
const CONTROL_BYTES = 64 + MAX_CALLS * SLOTS * 8;
/** How long the main thread waits for a started job before it gives up. */
const TIMEOUT_MS = 120_000;
/** How long the first use waits for the worker to start (Node: 30–60 ms here). */
const READY_MS = 10_000;

// An eval'd worker script. Bun and Deno run it inside a function that already declares `module` and
// `exports`, so the script keeps its own names inside an arrow function.
const WORKER_SOURCE = `(() => {
  const { workerData: data } = require('node:worker_threads');
  const kernels = new WebAssembly.Instance(data.kernelModule, { env: { memory: data.memory } }).exports;
  const flags = new Int32Array(data.memory.buffer, data.control, 16);
  Atomics.store(flags, 4, 1);
  Atomics.notify(flags, 4);
  let seen = 0;
  for (;;) {
    Atomics.wait(flags, 0, seen);
    seen = Atomics.load(flags, 0);
    const slots = new Float64Array(data.memory.buffer, data.control + 64, ${MAX_CALLS * SLOTS});
    let failed = 0;
    try {
      for (let c = 0; c < flags[2]; c++) {
        const base = c * ${SLOTS};
        const argc = slots[base + 1];
        kernels[data.names[slots[base]]](...slots.subarray(base + 2, base + 2 + argc));
      }
    } catch {
      failed = 1;
    }
    flags[3] = failed;
    Atomics.store(flags, 1, seen);
    Atomics.notify(flags, 1);
  }
})();
`;

interface WorkerThreads {
  Worker: new (source: string, options: { eval: boolean; workerData: unknown }) => { unref(): void; terminate?(): unknown };
}

/** A Node builtin through process.getBuiltinModule (Node ≥ 20.16, Bun, Deno 2), without importing it at load time. */
function builtin<T>(name: string): T | undefined {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  try {
    return get?.(name) as T | undefined;
  } catch {
    return undefined;
  }
}

/** worker_threads where the runtime has it. */
export function workerThreadsModule(): WorkerThreads | undefined {
  return builtin<WorkerThreads>('node:worker_threads');
}

/** The cores this process may use. */
export function availableCores(): number {
  const os = builtin<{ availableParallelism?: () => number; cpus: () => unknown[] }>('node:os');
  return os?.availableParallelism?.() ?? os?.cpus().length ?? (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

/** Starts the worker over `memory` (shared), its control block at `control`. */
export function startKernelThread(module: WebAssembly.Module, memory: WebAssembly.Memory, control: Pointer): KernelThread {
  const threads = workerThreadsModule();
  if (!threads) throw new Error('kernel threads need worker_threads');
  const worker = new threads.Worker(WORKER_SOURCE, { eval: true, workerData: { kernelModule: module, memory, control, names: KERNEL_FUNCTIONS } });
  worker.unref();
  const flags = new Int32Array(memory.buffer, control, 16);
  const deadline = Date.now() + READY_MS;
  let started: boolean | undefined;
  const settle = (wait: boolean): boolean => {
    if (started !== undefined) return started;
    if (wait) Atomics.wait(flags, 4, 0, Math.max(0, deadline - Date.now()));
    if (Atomics.load(flags, 4) === 1) return (started = true);
    if (Date.now() < deadline) return false;
    worker.terminate?.();
    return (started = false);
  };
  return {
    heapStart: control + CONTROL_BYTES,
    ready: () => settle(false),
    whenReady: () => settle(true),
    start(calls) {
      if (calls.length > MAX_CALLS) throw new Error(`kernel thread: ${calls.length} calls in one job, at most ${MAX_CALLS}`);
      const slots = new Float64Array(memory.buffer, control + 64, MAX_CALLS * SLOTS);
      calls.forEach((call, c) => {
        if (call.args.length > SLOTS - 2) throw new Error(`kernel thread: ${call.fn} has ${call.args.length} arguments, at most ${SLOTS - 2}`);
        slots[c * SLOTS] = KERNEL_FUNCTIONS.indexOf(call.fn);
        slots[c * SLOTS + 1] = call.args.length;
        slots.set(call.args, c * SLOTS + 2);
      });
      flags[2] = calls.length;
      Atomics.add(flags, 0, 1);
      Atomics.notify(flags, 0);
    },
    wait() {
      const posted = Atomics.load(flags, 0);
      const deadline = Date.now() + TIMEOUT_MS;
      for (let done = Atomics.load(flags, 1); done !== posted; done = Atomics.load(flags, 1)) {
        if (Date.now() > deadline) throw new Error(`kernel thread: no answer within ${TIMEOUT_MS / 1000} s (the worker did not start?); set UNFOLD_KERNEL_THREADS=1 to run on one thread`);
        Atomics.wait(flags, 1, done, 1000);
      }
      if (flags[3]) throw new Error('kernel thread: a kernel call failed on the second thread');
    },
  };
}
