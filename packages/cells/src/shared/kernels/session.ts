/**
 * One kernel call's working state on the host: a bump arena over the kernels' memory, and the split
 * of the work between the two threads (or all of it on this one).
 *
 * Buffers: what a forward keeps for its backward lives in the kernels' heap (heap.ts) until the
 * backward releases it; a call's temporaries come from a bump arena above every kept block. Each buffer
 * is 16-byte aligned and followed by 16 spare bytes, so a kernel may read a whole vector at a row's
 * end. The memory grows to the largest need and is kept.
 *
 * Splitting: `parallel([here, there])` runs `there` on the second thread and `here` on this one at the
 * same time, then waits; without a second thread both run here, one after the other. `split` cuts a
 * count (batch rows, gate columns) in two at a multiple of `align`, so each half keeps the products'
 * 4-row tiles or 8-column panels full; a count too small to split stays whole.
 */
import type { Kernels, Pointer } from './module';
import { MAX_CALLS, type KernelCall } from './threads';

/** A part of a count: [start, size). */
export interface Part {
  readonly start: number;
  readonly size: number;
}

export class KernelSession {
  /** The next free byte for temporaries, set at the first one (above every kept block). */
  private next: Pointer | undefined;
  private readonly kept: Pointer[] = [];

  /** `forBackward`: `keep` makes buffers that outlive the call (see heap.ts); else they are temporaries. */
  constructor(
    readonly kernels: Kernels,
    private readonly forBackward = false,
  ) {
    this.parts = kernels.thread?.ready() ? 2 : 1;
  }

  /** How many parts the work is split into: 2 with a second thread that runs, else 1 (fixed for the call). */
  readonly parts: number;

  /**
   * A buffer of `count` f32 values that a backward will read: kept in the kernels' heap until `owned`'s
   * release runs (or its owner is collected) when the session is for a backward, else a temporary.
   * Every kept buffer is made before the first temporary.
   */
  keep(count: number): Pointer {
    if (!this.forBackward) return this.alloc(count);
    if (this.next !== undefined) throw new Error('KernelSession: keep() after a temporary; make the kept buffers first');
    const at = this.kernels.heap.allocate(count * 4);
    this.kept.push(at);
    return at;
  }

  /** Ties the kept buffers to `owner`: the returned release frees them (at once; else when owner is collected). */
  owned(owner: object): () => void {
    return this.kernels.heap.own(owner, [...this.kept]);
  }

  /**
   * B = src (K × N read as src[from + k·sk + n·sn]) packed into 8-column panels by `packB`, for a product.
   * With `cache` (inference over weights that never change: the compact engine), made once per memory
   * (src.buffer), offset and layout, and kept in the heap while that memory lives; else a temporary.
   */
  packed(src: Float32Array, K: number, N: number, sk: number, sn: number, cache: boolean, from = 0): Pointer {
    const bytes = K * panels(N) * 4;
    if (!cache) {
      const at = this.alloc(K * panels(N));
      const source = this.put(src.subarray(from));
      this.call('packB', K, N, source, sk, sn, at);
      return at;
    }
    // Keyed by the memory the values live in, so every view of the same weights (a direction's subarray)
    // finds them; made above this call's temporaries, which later calls' temporaries then start above.
    const at = this.kernels.heap.cached(src.buffer, `${src.byteOffset + from * 4}:${K}x${N}:${sk},${sn}`, bytes, this.next ?? 0, (block, scratch) => {
      const source = align(scratch);
      ensureMemory(this.kernels.memory, source + (src.length - from) * 4 + 16);
      this.view(source, src.length - from).set(src.subarray(from));
      this.call('packB', K, N, source, sk, sn, block);
    });
    // This call's next temporaries go above the block (the heap's top), never over it.
    if (this.next !== undefined) this.next = Math.max(this.next, this.kernels.heap.top());
    return at;
  }

  /** A temporary buffer of `count` f32 values (its byte address), gone when the call ends. */
  alloc(count: number): Pointer {
    const at = align(this.next ?? this.kernels.heap.top());
    this.next = at + count * 4 + 16;
    ensureMemory(this.kernels.memory, this.next);
    return at;
  }

  /** A buffer holding a copy of `data`. */
  put(data: ArrayLike<number>): Pointer {
    const at = this.alloc(data.length);
    this.view(at, data.length).set(data);
    return at;
  }

  /** A view of `count` values at `at` (valid until the memory grows). */
  view(at: Pointer, count: number): Float32Array {
    return new Float32Array(this.kernels.memory.buffer, at, count);
  }

  /** A copy of `count` values at `at`. */
  read(at: Pointer, count: number): Float32Array {
    return this.view(at, count).slice();
  }

  /** One call on this thread. */
  call(fn: KernelCall['fn'], ...args: number[]): void {
    this.kernels.exports[fn](...args);
  }

  /** Part k's calls, part 0 here and part 1 on the second thread at once (see the module comment). */
  parallel(parts: readonly (readonly KernelCall[])[]): void {
    const [here = [], there = []] = parts;
    const thread = this.parts === 2 ? this.kernels.thread : undefined;
    if (!thread || there.length === 0) {
      for (const { fn, args } of [...here, ...there]) this.call(fn, ...args);
      return;
    }
    // Rounds of at most MAX_CALLS calls on each side (the second thread's job holds that many).
    for (let from = 0; from < Math.max(here.length, there.length); from += MAX_CALLS) {
      const job = there.slice(from, from + MAX_CALLS);
      if (job.length) thread.start(job);
      for (const { fn, args } of here.slice(from, from + MAX_CALLS)) this.call(fn, ...args);
      if (job.length) thread.wait();
    }
  }

  /** `count` cut into this.parts parts at a multiple of `align` (a part may be empty). */
  split(count: number, align: number): Part[] {
    if (this.parts === 1 || count < 2 * align) return [{ start: 0, size: count }];
    const first = Math.round(count / 2 / align) * align;
    return [
      { start: 0, size: first },
      { start: first, size: count - first },
    ];
  }
}

function align(at: Pointer): Pointer {
  return Math.ceil(at / 16) * 16;
}

/** Grows `memory` to hold `end` bytes, or says why it cannot. */
export function ensureMemory(memory: WebAssembly.Memory, end: Pointer): void {
  const missing = end - memory.buffer.byteLength;
  if (missing <= 0) return;
  try {
    memory.grow(Math.ceil(missing / 65536));
  } catch (cause) {
    throw new RangeError(`unfold kernels: this call needs ${Math.ceil(end / 2 ** 20)} MiB of WebAssembly memory and the runtime refused to grow it; use smaller batches or sequences, or useKernels('off')`, { cause });
  }
}

/** n rounded up to a multiple of 8: the width of a matrix packed into 8-column panels (gemm.as.ts). */
export function panels(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/** The byte address of value `index` of the f32 buffer at `at`. */
export function offset(at: Pointer, index: number): Pointer {
  return at + index * 4;
}
