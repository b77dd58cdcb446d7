import { casePoint, differentiableNames, type CellCase, type CellReference } from './cell-case';
import { cellGradients, referenceLossAt } from './cell-gradients';
import { preferredPath } from './cell-run';
import { expectClose, type Tolerance } from './close';
import { checkGradients, formatElement, type GradientCheckOptions, type GradientCheckResult } from './gradient-check';

/**
 * The gradient conformance checks of a cell, all on the loss Σ outputs ⊙ G_out + Σ_k state_k ⊙ G_k
 * (see cell-gradients.ts) w.r.t. the trainable parameters, the initial states and the input x.
 */

/**
 * Fused path vs step loop gradients. Both are float32 backward passes of the same math, possibly through
 * a hand-derived BPTT (customGrad) on the fused side; rounding differs by more than in the forward pass,
 * hence 1e-4 + 1e-4·|b|.
 */
export const SEQUENCE_GRADIENT_TOLERANCE: Tolerance = { atol: 1e-4, rtol: 1e-4 };

/** The fused path's gradients agree with the step loop's, with or without the padding mask. */
export function checkSequenceGradientsMatchStep(c: CellCase, options: { masked?: boolean; tolerance?: Tolerance } = {}): void {
  if (!c.plugin.sequence) throw new Error(`checkSequenceGradientsMatchStep: cell ${JSON.stringify(c.plugin.kind)} has no fused sequence path to check`);
  const masked = options.masked ?? false;
  const fused = cellGradients(c, 'sequence', { masked });
  const loop = cellGradients(c, 'step-loop', { masked });
  const tolerance = options.tolerance ?? SEQUENCE_GRADIENT_TOLERANCE;
  const suffix = masked ? ' with mask' : '';
  expectClose([fused.loss], [loop.loss], { ...tolerance, label: `${c.plugin.kind} loss, sequence vs step loop${suffix}` });
  for (const name of differentiableNames(c)) {
    expectClose(fused.gradients[name] as Float32Array, loop.gradients[name] as Float32Array, { ...tolerance, label: `${c.plugin.kind} d loss / d ${name}, sequence vs step loop${suffix}` });
  }
}

/** Every gradient (parameters, initial states, x) on the preferred path is finite, with and without the mask. */
export function checkFiniteGradients(c: CellCase): void {
  const path = preferredPath(c.plugin);
  for (const masked of [false, true]) {
    const { gradients } = cellGradients(c, path, { masked });
    for (const [name, gradient] of Object.entries(gradients)) {
      const bad = gradient.findIndex((g) => !Number.isFinite(g));
      const tensor = casePoint(c)[name];
      if (bad >= 0) throw new Error(`${c.plugin.kind} ${path}${masked ? ' (mask)' : ''}: gradient ${formatElement(name, tensor?.shape ?? [gradient.length], bad)} is ${gradient[bad]}`);
    }
  }
}

/**
 * The cell's analytic gradients (fused path when present, else the step loop) against float64 central
 * differences of its reference, on a seeded sample of elements of every trainable parameter, initial
 * state and x. Returns the checker's result (checked count, kinks skipped, worst element).
 */
export function checkReferenceGradients(c: CellCase, reference: CellReference, options: GradientCheckOptions = {}): GradientCheckResult {
  const path = preferredPath(c.plugin);
  const names = differentiableNames(c);
  return checkGradients({
    seed: c.seed,
    ...options,
    point: casePoint(c),
    names,
    analytic: (point) => cellGradients(c, path, { point, names }).gradients,
    reference: (point) => referenceLossAt(c, reference, point),
  });
}
