import { setupBackend, type CellPlugin } from '@unfold/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeCellCase, type CellReference } from './cell-case';
import {
  checkAgainstReference,
  checkDeterminism,
  checkEmptySequence,
  checkRoundTrip,
  checkSequenceMatchesStep,
  checkShapes,
  checkSingleStep,
  SEQUENCE_TOLERANCE,
} from './cell-checks';
import { checkFiniteGradients, checkReferenceGradients, checkSequenceGradientsMatchStep } from './cell-gradient-checks';
import type { Tolerance } from './close';
import type { GradientCheckOptions } from './gradient-check';
import { checkNoLeaks } from './leak-check';

export interface DescribeCellOptions<C> {
  /** Each a full valid config of the plugin; one describe block per config. */
  readonly configs: readonly Readonly<Record<string, unknown>>[];
  /** A float64 implementation of the cell; enables the reference and finite-difference checks. */
  readonly reference?: CellReference<C>;
  /** Seed of weights, inputs, loss weights and gradient sampling. Default 7. */
  readonly seed?: number;
  /** Cell vs float64 reference, outputs and final state. Default atol 1e-5, rtol 1e-5. */
  readonly tolerance?: Tolerance;
  /** Analytic vs float64 finite-difference gradients. Default checkGradients' (atol 1e-4, rtol 1e-3, 8 samples). */
  readonly gradientCheck?: GradientCheckOptions;
  /** Sequence length and batch of the test inputs. Default T 5, B 3 (lengths [5, 3, 0] under the mask). */
  readonly dims?: { readonly T?: number; readonly B?: number };
  /** Half-width of the uniform noise added to the initial weights. Default 0.1. */
  readonly weightNoise?: number;
}

/**
 * The conformance suite every cell runs. Registers, with vitest's describe/it, one block per config:
 * shapes; determinism under a seed; T=0 and T=1 (fused path); fused `sequence` vs a loop of `step`
 * (outputs, final state and gradients, with and without a padding mask); float64 reference and
 * finite-difference gradients (when `reference` is given); save/load round trip; finite gradients;
 * no tensor leaks. Checks that need a fused path are only registered when the plugin has one.
 * Each check is also exported as a plain function taking a CellCase (see cell-checks.ts).
 */
export function describeCell<C>(plugin: CellPlugin<string, C>, options: DescribeCellOptions<C>): void {
  for (const config of options.configs) {
    describe(`${plugin.kind} ${JSON.stringify(config)}`, () => {
      const c = makeCellCase(plugin, config, { seed: options.seed, T: options.dims?.T, B: options.dims?.B, weightNoise: options.weightNoise });
      const fused = plugin.sequence !== undefined;
      const reference = options.reference;

      beforeAll(async () => {
        await setupBackend();
      });

      it('returns the declared output and state shapes', () => checkShapes(c));
      it('is deterministic under a seed (weights and outputs bit-identical)', () => checkDeterminism(c));
      if (fused) {
        it('T=0: sequence returns [0, B, O] outputs and the initial state', () => checkEmptySequence(c));
        it('T=1: sequence equals one step', () => checkSingleStep(c));
        it('sequence matches the step loop (outputs, final state)', () => checkSequenceMatchesStep(c));
        it('sequence matches the step loop under a padding mask', () => checkSequenceMatchesStep(c, { masked: true }));
        it('sequence gradients match the step loop', () => checkSequenceGradientsMatchStep(c));
        it('sequence gradients match the step loop under a padding mask', () => checkSequenceGradientsMatchStep(c, { masked: true }));
      }
      if (reference) {
        it('matches the float64 reference', () => checkAgainstReference(c, reference, options.tolerance ?? SEQUENCE_TOLERANCE));
        it('gradients match float64 finite differences of the reference', () => {
          const result = checkReferenceGradients(c, reference, options.gradientCheck);
          expect(result.checked).toBeGreaterThan(0);
        });
      }
      it('round-trips through serializeModel/deserializeModel bit for bit', () => checkRoundTrip(c));
      it('has finite gradients for every trainable parameter, state and input', () => checkFiniteGradients(c));
      it('leaks no tensors across forward passes and training steps', () => checkNoLeaks(c));
    });
  }
}
