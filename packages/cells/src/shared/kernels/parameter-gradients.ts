/**
 * The products every cell kernel runs after its backward loop, split between the threads: dx by rows,
 * the weight gradients and bias sums by gate columns (each thread packs its columns of dPre once for
 * all the weights that share them). The equations are in gradients.as.ts.
 */
import type { Pointer } from './module';
import { offset, panels, type KernelSession } from './session';
import type { KernelCall } from './threads';

/** dx [N, I] = dPre · W, for a weight W [G, I] used as pre = x · Wᵀ. */
export interface InputGradient {
  readonly dPre: Pointer;
  /** dPre's row stride. */
  readonly ld: number;
  readonly G: number;
  readonly I: number;
  readonly W: Pointer;
  readonly dx: Pointer;
}

/** One weight fed by a block of dPre's columns: dW [cols, K] = dPreᵀ · operand [N, K]. */
export interface WeightTarget {
  readonly operand: Pointer;
  readonly K: number;
  readonly dW: Pointer;
}

/** A block of dPre's columns (row stride ld), the weights it feeds and, optionally, its bias sums. */
export interface GradientBlock {
  readonly dPre: Pointer;
  readonly ld: number;
  readonly cols: number;
  readonly targets: readonly WeightTarget[];
  readonly dbias?: Pointer;
}

export function parameterGradients(s: KernelSession, N: number, input: InputGradient, blocks: readonly GradientBlock[]): void {
  const { dPre, ld, G, I, dx } = input;
  const WP = s.alloc(G * panels(I));
  s.call('packB', G, I, input.W, I, 1, WP);
  const rows = s.split(N, 4);
  const columns = blocks.map((block) => s.split(block.cols, 8));
  const widest = Math.max(...blocks.map((block) => block.cols));
  const deepest = Math.max(...blocks.flatMap((block) => block.targets.map((target) => target.K)));
  const parts: KernelCall[][] = [];
  for (let part = 0; part < s.parts; part++) {
    const packed = s.alloc(N * panels(widest));
    const tmp = s.alloc(deepest * widest);
    const calls: KernelCall[] = [];
    const r = rows[part];
    if (r?.size) calls.push({ fn: 'inputGradient', args: [r.size, G, I, offset(dPre, r.start * ld), ld, WP, offset(dx, r.start * I)] });
    blocks.forEach((block, k) => {
      const c = columns[k]?.[part];
      if (!c?.size) return;
      const from = offset(block.dPre, c.start);
      calls.push({ fn: 'packColumns', args: [N, c.size, from, block.ld, packed] });
      for (const target of block.targets) calls.push({ fn: 'weightGradient', args: [N, c.size, target.K, packed, target.operand, offset(target.dW, c.start * target.K), tmp] });
      if (block.dbias !== undefined) calls.push({ fn: 'columnSums', args: [N, c.size, from, block.ld, offset(block.dbias, c.start)] });
    });
    parts.push(calls);
  }
  s.parallel(parts);
}
