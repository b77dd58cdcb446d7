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

  constructor(
    private readonly start: Pointer,
    private readonly ensure: (end: Pointer) => void,
  ) {}

  /** The first byte above every live block. */
  top(): Pointer {
    const last = this.blocks.at(-1);
    return last ? align(last.at + last.bytes) : align(this.start);
  }

  /** A block of `bytes` (16-byte aligned, followed by 16 spare bytes). */
  allocate(bytes: number): Pointer {
    const size = align(bytes + 16);
    let at = align(this.start);
    let index = 0;
    for (; index < this.blocks.length; index++) {
      const block = this.blocks[index] as Block;
      if (block.at - at >= size) break;
      at = align(block.at + block.bytes);
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

  /** Live blocks, for tests. */
  get live(): number {
    return this.blocks.length;
  }
}

function align(at: Pointer): Pointer {
  return Math.ceil(at / 16) * 16;
}
