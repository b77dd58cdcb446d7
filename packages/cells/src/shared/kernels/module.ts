/**
 * The training kernels' WebAssembly module, on the host side: which build runs, and a bump arena over
 * its memory that a kernel call lays its buffers out in.
 *
 * Choosing: the module is built twice from the AssemblyScript sources (scripts/build-kernels.mjs): with
 * SIMD + relaxed SIMD (fused multiply-add) and with SIMD alone. The first that `WebAssembly.validate`
 * accepts is compiled, once, on the first kernel call (synchronously: Node, Deno, Bun and Web Workers
 * allow it; a browser's main thread refuses modules over 4 KB, so call `loadKernels()` there first).
 * Where neither validates, or `UNFOLD_KERNELS=off` is set, or `useKernels('off')` was called, the cells
 * run their tfjs fused path instead; both paths compute the same equations (tests compare them).
 *
 * Memory: every call resets the arena and allocates from the module's first free byte; each buffer is
 * 16-byte aligned and followed by 16 spare bytes, so a kernel may read a whole vector at a row's end.
 * The memory grows to the largest call and is kept for the next.
 */
import { RELAXED_SIMD_WASM, SIMD_WASM } from './generated/wasm';

/** `auto`: the kernels where the runtime has WebAssembly SIMD; `off`: always the tfjs path. */
export type KernelMode = 'auto' | 'off';

/** Which kernel build runs: `relaxed-simd`, `simd`, or `none` (the tfjs path). */
export type KernelBuild = 'relaxed-simd' | 'simd' | 'none';

type Pointer = number;

/** The module's exports (byte addresses and sizes are plain numbers). */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): Pointer;
  gemm(M: number, N: number, K: number, A: Pointer, ams: number, aks: number, P: Pointer, C: Pointer, ldc: number, accumulate: boolean): void;
  packB(K: number, N: number, src: Pointer, sk: number, sn: number, P: Pointer): void;
  lstmForward(...args: number[]): void;
  lstmBackward(...args: number[]): void;
  gruForward(...args: number[]): void;
  gruBackward(...args: number[]): void;
  rnnForward(...args: number[]): void;
  rnnBackward(...args: number[]): void;
}

let mode: KernelMode | undefined;
let loaded: { build: KernelBuild; exports: KernelExports | undefined } | undefined;

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(text.length));
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function environmentMode(): KernelMode {
  const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.UNFOLD_KERNELS;
  return value === 'off' ? 'off' : 'auto';
}

function candidates(): { build: KernelBuild; bytes: Uint8Array<ArrayBuffer> }[] {
  return [
    { build: 'relaxed-simd' as const, bytes: decode(RELAXED_SIMD_WASM) },
    { build: 'simd' as const, bytes: decode(SIMD_WASM) },
  ].filter((c) => WebAssembly.validate(c.bytes));
}

function instantiate(module: WebAssembly.Module, build: KernelBuild): { build: KernelBuild; exports: KernelExports } {
  return { build, exports: new WebAssembly.Instance(module, {}).exports as unknown as KernelExports };
}

/**
 * Chooses the kernels: `off` makes every cell use its tfjs fused path from the next call on; `auto`
 * (the default, unless the environment sets UNFOLD_KERNELS=off) uses the kernels where they run.
 */
export function useKernels(wanted: KernelMode): void {
  if (wanted !== 'auto' && wanted !== 'off') throw new TypeError(`useKernels: expected "auto" or "off", got ${JSON.stringify(wanted)}`);
  mode = wanted;
}

/** Compiles the kernels asynchronously (for a browser's main thread) and tells which build runs. */
export async function loadKernels(): Promise<KernelBuild> {
  if (!loaded) {
    const [first] = candidates();
    loaded = first ? instantiate(await WebAssembly.compile(first.bytes), first.build) : { build: 'none', exports: undefined };
  }
  return kernelBuild();
}

/** The build the next kernel call uses (`none` when off or unavailable); compiles on first use. */
export function kernelBuild(): KernelBuild {
  return kernelExports() ? (loaded?.build ?? 'none') : 'none';
}

/** The kernels' exports, or undefined when the tfjs path runs. */
export function kernelExports(): KernelExports | undefined {
  if ((mode ?? environmentMode()) === 'off') return undefined;
  if (!loaded) {
    const [first] = candidates();
    try {
      loaded = first ? instantiate(new WebAssembly.Module(first.bytes), first.build) : { build: 'none', exports: undefined };
    } catch {
      return undefined; // a browser's main thread: synchronous compile refused until loadKernels() ran
    }
  }
  return loaded.exports;
}

/** Bump allocation over the module's memory for one kernel call. */
export class KernelArena {
  private next: number;

  constructor(readonly kernels: KernelExports) {
    this.next = kernels.heapBase();
  }

  /** A buffer of `count` f32 values (its byte address). */
  alloc(count: number): Pointer {
    const at = (this.next + 15) & ~15;
    this.next = at + count * 4 + 16;
    const memory = this.kernels.memory;
    const missing = this.next - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / 65536));
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
}
