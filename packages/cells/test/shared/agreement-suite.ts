import { setupBackend, type CellPlugin } from '@unfold/core';
import { cellGradients, differentiableNames, expectClose, expectResultsClose, makeCellCase, maxAbsDiff, runCellHost } from '@unfold/testing';
import { afterAll, beforeAll, it } from 'vitest';
import { describeEachKernelPath } from './kernel-paths';

/**
 * The fused `sequence` path against a loop of `step` under tfjs autodiff, at the design's float32
 * tolerance 1e-5 + 1e-5·|b| for everything: outputs, final states, and the gradients of the suite's
 * loss Σ outputs ⊙ G + Σ state ⊙ G w.r.t. every parameter, every initial state and x. Longer and
 * stricter than describeCell's (T 5, gradients at 1e-4): T 12, B 4, lengths [12, 8, 4, 0] under the mask.
 */
const TOLERANCE = { atol: 1e-5, rtol: 1e-5 };

export function describeFusedAgreement(plugin: CellPlugin, configs: readonly Readonly<Record<string, unknown>>[]): void {
  describeEachKernelPath(`${plugin.kind} fused sequence vs step loop at 1e-5 (T 12, B 4)`, () => {
    let worst = { diff: 0, label: '' };
    beforeAll(async () => {
      await setupBackend();
    });
    afterAll(() => console.info(`${plugin.kind}: largest fused vs step-loop gradient |diff| ${worst.diff.toExponential(2)} (${worst.label})`));
    for (const config of configs) {
      for (const masked of [false, true]) {
        it(`${JSON.stringify(config)}${masked ? ' with mask' : ''}`, () => {
          const c = makeCellCase(plugin, config, { seed: 11, T: 12, B: 4 });
          const inputs = masked ? { mask: c.mask } : {};
          expectResultsClose(runCellHost(c, 'sequence', inputs), runCellHost(c, 'step-loop', inputs), c, `${plugin.kind} forward`, TOLERANCE);
          const fused = cellGradients(c, 'sequence', { masked });
          const loop = cellGradients(c, 'step-loop', { masked });
          for (const name of differentiableNames(c)) {
            const a = fused.gradients[name] as Float32Array;
            const b = loop.gradients[name] as Float32Array;
            const diff = maxAbsDiff(a, b);
            if (diff > worst.diff) worst = { diff, label: `d/d${name} ${JSON.stringify(config)}${masked ? ' mask' : ''}` };
            expectClose(a, b, { ...TOLERANCE, label: `${plugin.kind} d loss / d ${name}${masked ? ' (mask)' : ''}` });
          }
        });
      }
    }
  });
}
