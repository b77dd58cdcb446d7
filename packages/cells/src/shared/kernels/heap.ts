/**
 * The part of the kernels' memory that outlives a call: what a forward keeps for its backward, left
 * where the forward kernel wrote it (no copy out and back in).
 *
 * Live blocks are kept sorted by address; a new block takes the first gap between them that fits, or
 * goes on top. A call's temporaries start above the highest live block (`top`) and are dropped when
 * the call ends, so they never overlap a kept block. A block is freed by its backward, or, when no
 * backward ever comes (a tape dropped unused), when the forward's result is garbage collected.
 */
import type { Pointer } from './module';

interface Block {
  readonly at: Pointer;
  readonly bytes: number;
}

export class KernelHeap {
  private readonly blocks: Block[] = [];
  private readonly finalizer = new FinalizationRegistry<readonly Pointer[]>((blocks) => blocks.forEach((at) => this.free(at)));
  /** Blocks made once per owner and key (weights packed for inference), freed with their owner. */
  private readonly cache = new WeakMap<object, Map<string, Pointer>>();

  constructor(
    private readonly start: Pointer,
    private readonly ensure: (end: Pointer) => void,
  ) {}

  /** The first byte above every live block. */
  top(): Pointer {
    const last = this.blocks.at(-1);
    return last ? align(last.at + last.bytes) : align(this.start);
  }

  /** A block of `bytes` (16-byte aligned, followed by 16 spare bytes), at or above `above` (default: anywhere). */
  allocate(bytes: number, above: Pointer = 0): Pointer {
    const size = align(bytes + 16);
    let at = align(Math.max(this.start, above));
    let index = 0;
    for (; index < this.blocks.length; index++) {
      const block = this.blocks[index] as Block;
      if (block.at + block.bytes <= at) continue;
      if (block.at - at >= size) break;
      at = align(Math.max(at, block.at + block.bytes));
    }
    this.ensure(at + size);
    this.blocks.splice(index, 0, { at, bytes: size });
    return at;
  }

  free(at: Pointer): void {
    const index = this.blocks.findIndex((block) => block.at === at);
    if (index >= 0) this.blocks.splice(index, 1);
  }

  /** Frees `blocks` when `owner` is garbage collected, unless `release` ran first. */
  own(owner: object, blocks: readonly Pointer[]): () => void {
    const token = {};
    this.finalizer.register(owner, blocks, token);
    return () => {
      this.finalizer.unregister(token);
      blocks.forEach((at) => this.free(at));
    };
  }

  /**
   * The block `key` of `owner`: on the first ask allocated (`bytes`, at or above `above`: the end of a
   * call's live temporaries) and filled by `fill(at, scratch)`, where scratch is free memory above every
   * block for the fill's own use; then kept until `owner` is garbage collected.
   */
  cached(owner: object, key: string, bytes: number, above: Pointer, fill: (at: Pointer, scratch: Pointer) => void): Pointer {
    let blocks = this.cache.get(owner);
    const found = blocks?.get(key);
    if (found !== undefined) return found;
    const at = this.allocate(bytes, above);
    fill(at, Math.max(this.top(), above));
    if (!blocks) this.cache.set(owner, (blocks = new Map()));
    blocks.set(key, at);
    this.finalizer.register(owner, [at]);
    return at;
  }

  /** Live blocks, for tests. */
  get live(): number {
    return this.blocks.length;
  }
}

function align(at: Pointer): Pointer {
  return Math.ceil(at / 16) * 16;
}
