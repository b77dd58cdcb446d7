import { setupBackend, type CellPlugin } from '@unfold/core';
import { checkReferenceGradients, formatElement, makeCellCase, type CellReference } from '@unfold/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachKernelPath } from './kernel-paths';

/**
 * The fused path's gradients (hand-written BPTT) against float64 central finite differences of the
 * cell's plain-JS reference, on longer sequences than describeCell uses (T 12, B 4) and 16 sampled
 * elements of every parameter, initial state and x. Logs the worst element (largest |analytic −
 * numeric| relative to its tolerance atol 1e-4 + rtol 1e-3·|numeric|).
 */
export function describeReferenceGradients<C>(plugin: CellPlugin<string, C>, configs: readonly Readonly<Record<string, unknown>>[], reference: CellReference<C>): void {
  describeEachKernelPath(`${plugin.kind} fused gradients vs float64 finite differences (T 12, B 4)`, () => {
    let worst = { ratio: 0, text: '' };
    beforeAll(async () => {
      await setupBackend();
    });
    afterAll(() => console.info(`${plugin.kind}: worst gradient-check element ${worst.text} (${(worst.ratio * 100).toFixed(1)}% of its tolerance)`));
    for (const config of configs) {
      it(JSON.stringify(config), () => {
        const c = makeCellCase(plugin, config, { seed: 5, T: 12, B: 4 });
        const result = checkReferenceGradients(c, reference, { samples: 16 });
        expect(result.checked).toBeGreaterThan(16 * 3);
        const w = result.worst;
        if (w) {
          const ratio = Math.abs(w.analytic - w.numeric) / (1e-4 + 1e-3 * Math.abs(w.numeric));
          const shape = c.weights[w.name]?.shape ?? (w.name === 'x' ? c.x.shape : c.state0[0]?.shape ?? []);
          if (ratio > worst.ratio) worst = { ratio, text: `${formatElement(w.name, shape, w.index)} analytic ${w.analytic.toPrecision(7)} numeric ${w.numeric.toPrecision(7)} |diff| ${Math.abs(w.analytic - w.numeric).toExponential(2)} ${JSON.stringify(config)}` };
        }
      });
    }
  });
}
