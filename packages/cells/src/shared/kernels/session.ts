/**
 * One kernel call's working state on the host: a bump arena over the kernels' memory, and the split
 * of the work between the two threads (or all of it on this one).
 *
 * Arena: every call starts at the kernels' first free byte; each buffer is 16-byte aligned and
 * followed by 16 spare bytes, so a kernel may read a whole vector at a row's end. The memory grows to
 * the largest call and is kept for the next.
 *
 * Splitting: `parallel([here, there])` runs `there` on the second thread and `here` on this one at the
 * same time, then waits; without a second thread both run here, one after the other. `split` cuts a
 * count (batch rows, gate columns) in two at a multiple of `align`, so each half keeps the products'
 * 4-row tiles or 8-column panels full; a count too small to split stays whole.
 */
import type { Kernels, Pointer } from './module';
import type { KernelCall } from './threads';

/** A part of a count: [start, size). */
export interface Part {
  readonly start: number;
  readonly size: number;
}

export class KernelSession {
  private next: number;

  constructor(readonly kernels: Kernels) {
    this.next = kernels.heapStart;
  }

  /** How many parts the work is split into: 2 with a second thread that runs, else 1. */
  get parts(): number {
    return this.kernels.thread?.ready() ? 2 : 1;
  }

  /** A buffer of `count` f32 values (its byte address). */
  alloc(count: number): Pointer {
    const at = (this.next + 15) & ~15;
    this.next = at + count * 4 + 16;
    const memory = this.kernels.memory;
    const missing = this.next - memory.buffer.byteLength;
    if (missing > 0) {
      try {
        memory.grow(Math.ceil(missing / 65536));
      } catch (cause) {
        throw new RangeError(`unfold kernels: this call needs ${Math.ceil(this.next / 2 ** 20)} MiB of WebAssembly memory and the runtime refused to grow it; use smaller batches or sequences, or useKernels('off')`, { cause });
      }
    }
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
    const thread = this.kernels.thread?.ready() ? this.kernels.thread : undefined;
    if (thread && there.length) thread.start(there);
    for (const { fn, args } of here) this.call(fn, ...args);
    if (thread && there.length) thread.wait();
    else for (const { fn, args } of there) this.call(fn, ...args);
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

/** n rounded up to a multiple of 8: the width of a matrix packed into 8-column panels (gemm.as.ts). */
export function panels(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/** The byte address of value `index` of the f32 buffer at `at`. */
export function offset(at: Pointer, index: number): Pointer {
  return at + index * 4;
}
