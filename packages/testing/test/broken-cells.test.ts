import * as tf from '@tensorflow/tfjs-core';
import { defineCell, setupBackend } from '@unfold/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkAgainstReference,
  checkDeterminism,
  checkEmptySequence,
  checkNoLeaks,
  checkReferenceGradients,
  checkSequenceGradientsMatchStep,
  checkSequenceMatchesStep,
  checkShapes,
  makeCellCase,
  type CellReference,
} from '../src/index';
import { elmanDefinition, elmanReference, loopWithWhere, type ElmanConfig } from './elman-cell';

// Each check of the conformance suite, shown catching a cell that breaks its part of the contract.
// The broken cells differ from the working Elman cell in exactly one way.
const config = { inputSize: 3, hiddenSize: 4 };
const elmanStep = elmanDefinition.step;

/** Forward is the identity; the gradient is scaled by `factor` (a subtly wrong hand-written backward). */
function scaleGradient(factor: number): (w: tf.Tensor) => tf.Tensor {
  const scaled = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.clone(args[0] as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => tf.mul(dy, factor),
  }));
  return (w) => scaled(w);
}

const variants = {
  ignoresMask: defineCell({
    ...elmanDefinition,
    kind: 'elman-ignores-mask',
    sequence: (params, x, state, c) => loopWithWhere((xt, s) => elmanStep(params, xt, s, c), x, state, c.hiddenSize, undefined),
  }),
  wrongGradient: defineCell({
    ...elmanDefinition,
    kind: 'elman-wrong-gradient',
    sequence: (params, x, state, c, options) => {
      const W = scaleGradient(1.01)(params.W as tf.Tensor);
      return loopWithWhere((xt, s) => elmanStep({ ...params, W }, xt, s, c), x, state, c.hiddenSize, options.mask);
    },
  }),
  leaks: defineCell({
    ...elmanDefinition,
    kind: 'elman-leaks',
    sequence: (params, x, state, c, options) => {
      const result = loopWithWhere((xt, s) => elmanStep(params, xt, s, c), x, state, c.hiddenSize, options.mask);
      tf.keep(tf.clone(result.outputs)); // "saved for the backward pass", never released
      return result;
    },
  }),
  forgetsStateAtT0: defineCell({
    ...elmanDefinition,
    kind: 'elman-zero-state',
    sequence: (params, x, state, c, options) =>
      x.shape[0] === 0
        ? { outputs: tf.zeros([0, x.shape[1], c.hiddenSize]) as tf.Tensor3D, state: state.map((s) => tf.zerosLike(s)) }
        : loopWithWhere((xt, s) => elmanStep(params, xt, s, c), x, state, c.hiddenSize, options.mask),
  }),
  wrongStateSize: defineCell({
    ...elmanDefinition,
    kind: 'elman-wrong-state',
    step: (params, x, state, c) => {
      const result = elmanStep(params, x, state, c);
      const h = result.state[0] as tf.Tensor2D;
      return { output: result.output, state: [tf.concat([h, tf.zeros([x.shape[0], 1])], 1) as tf.Tensor2D] };
    },
    sequence: undefined,
  }),
  noisy: defineCell({
    ...elmanDefinition,
    kind: 'elman-noisy',
    step: (params, x, state, c) => {
      const result = elmanStep(params, x, state, c);
      return { output: tf.add(result.output, tf.scalar(Math.random() * 1e-3)) as tf.Tensor2D, state: result.state };
    },
    sequence: undefined,
  }),
};

/** A float64 reference that forgets the recurrent term: right shapes, wrong values. */
const noRecurrence: CellReference<ElmanConfig> = (params, x, state0, c, dims) => elmanReference({ ...params, R: new Float64Array(c.hiddenSize * c.hiddenSize) }, x, state0, c, dims);

describe('the conformance checks catch broken cells', () => {
  beforeAll(async () => {
    await setupBackend();
  });

  it('a fused path that ignores the mask fails the masked comparison only', () => {
    const c = makeCellCase(variants.ignoresMask, config);
    expect(() => checkSequenceMatchesStep(c)).not.toThrow();
    expect(() => checkSequenceMatchesStep(c, { masked: true })).toThrow(/elman-ignores-mask sequence vs step loop \(mask, lengths \[5, 3, 0\]\): outputs: \d+ of 60 elements differ/);
  });

  it('a backward pass off by 1% fails the gradient comparisons but not the forward ones', () => {
    const c = makeCellCase(variants.wrongGradient, config);
    expect(() => checkSequenceMatchesStep(c, { masked: true })).not.toThrow();
    expect(() => checkSequenceGradientsMatchStep(c)).toThrow(/d loss \/ d W, sequence vs step loop/);
    expect(() => checkReferenceGradients(c, elmanReference)).toThrow(/checkGradients: \d+ of \d+ checked elements disagree .*worst W\[/);
    // The working cell passes the same check, on every sampled element.
    const good = checkReferenceGradients(makeCellCase(defineCell({ ...elmanDefinition, kind: 'elman-good' }), config), elmanReference);
    expect(good.skippedAtKinks).toBe(0);
    expect(good.checked).toBe(8 + 8 + 4 + 8 + 8); // 8 samples each of W [4, 3], R [4, 4], state.h [3, 4], x [5, 3, 3]; all 4 of B
  });

  it('a fused path that keeps a tensor fails the leak check', () => {
    expect(() => checkNoLeaks(makeCellCase(variants.leaks, config))).toThrow(/elman-leaks: \d+ tensors leaked by 3 forward passes/);
  });

  it('a fused path that resets the state at T=0 fails the empty-sequence check', () => {
    expect(() => checkEmptySequence(makeCellCase(variants.forgetsStateAtT0, config))).toThrow(/T=0: final state h \(must equal the initial state\)/);
  });

  it('a state of the wrong size fails the shape check', () => {
    expect(() => checkShapes(makeCellCase(variants.wrongStateSize, config))).toThrow(/step: state h: expected shape \[3, 4\], got \[3, 5\]/);
  });

  it('a non-deterministic step fails the determinism check', () => {
    expect(() => checkDeterminism(makeCellCase(variants.noisy, config))).toThrow(/step-loop run twice: outputs: \d+ of 60 elements are not bit-identical/);
  });

  it('a wrong float64 reference fails the reference comparison', () => {
    const c = makeCellCase(defineCell({ ...elmanDefinition, kind: 'elman-good' }), config);
    expect(() => checkAgainstReference(c, elmanReference)).not.toThrow();
    expect(() => checkAgainstReference(c, noRecurrence)).toThrow(/sequence vs float64 reference: outputs/);
  });
});
