/**
 * An optimizer's per-parameter slots (Adam's moments, momentum buffers, RMSProp's square average) kept in
 * the WebAssembly kernels' memory between updates, so an update on the kernel path copies only θ and g in
 * and θ out. Each slot is a block of the kernels' heap (zeros when made), freed by `dispose` or, if the
 * optimizer is dropped without it, when its owner is garbage collected.
 */
import { hostTensor } from '@unfold/core';
import type { Kernels, Pointer } from '@unfold/cells/kernels';
import type { OptimizerState } from './optimizer';

interface KernelSlot {
  readonly at: Pointer;
  readonly shape: readonly number[];
  readonly count: number;
  readonly release: () => void;
}

export class KernelSlots {
  private readonly slots = new Map<string, KernelSlot>();

  constructor(
    readonly kernels: Kernels,
    private readonly owner: object,
  ) {}

  get size(): number {
    return this.slots.size;
  }

  /** Slot `name` of parameter `index` (of `shape`), made (as zeros) on first use; its byte address. */
  get(name: string, index: number, shape: readonly number[]): Pointer {
    const key = `${name}:${index}`;
    let slot = this.slots.get(key);
    if (!slot) {
      const count = shape.reduce((a, b) => a * b, 1);
      const at = this.kernels.heap.allocate(count * 4);
      new Float32Array(this.kernels.memory.buffer, at, count).fill(0);
      slot = { at, shape: [...shape], count, release: this.kernels.heap.own(this.owner, [at]) };
      this.slots.set(key, slot);
    }
    return slot.at;
  }

  export(): OptimizerState['slots'] {
    return [...this.slots].map(([key, { at, shape, count }]) => {
      const split = key.lastIndexOf(':');
      return { slot: key.slice(0, split), index: Number(key.slice(split + 1)), tensor: hostTensor(shape, new Float32Array(this.kernels.memory.buffer, at, count).slice(), key) };
    });
  }

  import(slots: OptimizerState['slots']): void {
    this.dispose();
    for (const { slot, index, tensor } of slots) {
      const at = this.get(slot, index, tensor.shape);
      new Float32Array(this.kernels.memory.buffer, at, tensor.data.length).set(tensor.data);
    }
  }

  dispose(): void {
    for (const slot of this.slots.values()) slot.release();
    this.slots.clear();
  }
}
