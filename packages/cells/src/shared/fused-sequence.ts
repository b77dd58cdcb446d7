/**
 * The fused whole-sequence op every cell of this package shares: one `tf.customGrad` over
 * x [T, B, I], the initial states and the parameters, whose backward is the cell's hand-derived BPTT.
 *
 * A cell supplies a `FusedRecurrence`: per-call weight copies, one forward step (candidate next states,
 * the first being the output h, and the named tensors its backward needs) and that step's backward
 * (gradients w.r.t. the previous states, and named per-step pre-activation gradients), plus the
 * parameter gradients from those per-step tensors stacked over all T·B rows.
 *
 * This module owns what is the same for every cell:
 * - Time: per-step inputs are made from host memory (time-steps.ts), never sliced per step.
 * - Padding: where mask m = 0 the state is carried and the output is 0,
 *     state_t = m ⊙ next + (1 − m) ⊙ state_{t−1},   y_t = m ⊙ next_0
 *   so backward: d next = m ⊙ (carry [+ dy_t]), d state_{t−1} = step backward + (1 − m) ⊙ carry.
 *   Steps where the whole batch is real skip the mask ops.
 * - One output: customGrad takes one value, so outputs and final states are packed into one flat
 *   tensor [T·B·O + Σ B·size] and split again (the split's gradient re-packs dy).
 * - Memory: every tensor a backward needs goes through `save` (tfjs clones it and disposes it after
 *   the gradient, and saves nothing when no tape records), so a forward-only call keeps no tensor
 *   alive. The weights come from `save` too (tensors made inside the caller's gradient function are
 *   disposed when its forward scope ends); x and the mask come from the host copies read at entry.
 * - Checks: parameter, input, state and mask shapes, and the values of x, the initial states and the
 *   mask (finite; 0/1), at entry (checks.ts), before any tensor is made.
 * - Weight gradients: one plain product over all T·B rows per weight (weight-gradients.ts).
 *
 * Measured here (tfjs-wasm, shared 2-core machine under load): an LSTM with I 32, H 128, T 64, B 32,
 * forward + backward of an MSE loss through tf.variableGrads, median ~110 ms per call (~290 seq/s,
 * best 94 ms) against ~630 ms for a loop of `step` under autodiff; forward alone ~45 ms against ~110 ms.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradSaveFunc, Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import type { CellSequenceResult, ParamSpec, ParamTensors } from '@unfold/core';
import { checkFinite, checkMaskValues, checkParams, checkSequenceInputs, type CellShape } from './checks';
import { activeKernels } from './kernels/module';
import type { SequenceKernel } from './kernels/sequence-kernel';
import { kernelSequenceOp } from './kernel-sequence-op';
import { stepMask, stepTensors } from './time-steps';

export type TensorRecord = { readonly [name: string]: Tensor2D | undefined };

export interface FusedStep<S extends TensorRecord> {
  /** Candidate next states in state(config) order; next[0] is the output. */
  readonly next: readonly Tensor2D[];
  readonly saved: S;
}

export interface FusedStepGradient<G extends TensorRecord> {
  /** Gradients w.r.t. the previous states through this step. */
  readonly dPrev: readonly Tensor2D[];
  /** Per-step rows [B, ·] that the parameter gradients sum over all steps. */
  readonly rows: G;
}

/** Stacks over time (time order) of per-step tensors: [T·B, ·]. */
export interface Stacks<S extends TensorRecord, G extends TensorRecord> {
  saved(name: keyof S & string): Tensor2D;
  rows(name: keyof G & string): Tensor2D;
}

export interface FusedRecurrence<C, FW, BW, S extends TensorRecord, G extends TensorRecord> {
  /** Weight copies in the layouts the forward steps use, made once per call. */
  forwardWeights(params: ParamTensors, config: C): FW;
  step(weights: FW, x: Tensor2D, state: readonly Tensor2D[]): FusedStep<S>;
  /** Weight copies for the backward steps, made once per call. */
  backwardWeights(params: ParamTensors, config: C): BW;
  /** dNext: gradients w.r.t. the step's candidate next states. */
  stepBackward(weights: BW, dNext: readonly Tensor2D[], saved: S): FusedStepGradient<G>;
  /** dL/dx [T·B, I] and dL/dparam for every parameter, from the stacks; x is the input [T·B, I]. */
  gradients(params: ParamTensors, stacks: Stacks<S, G>, x: Tensor2D, config: C): { readonly x: Tensor2D; readonly params: Readonly<Record<string, Tensor>> };
  /** The same recurrence as one WebAssembly SIMD call each way (shared/kernels), used where it runs. */
  readonly kernel?: SequenceKernel<C>;
}

/** What the fused op needs to know about the cell besides its recurrence. */
export interface FusedCell<C> extends CellShape {
  /** `kind.sequence`, for messages. */
  readonly where: string;
  readonly parameters: readonly ParamSpec[];
  readonly config: C;
}

function named(names: readonly string[], tensors: readonly Tensor[]): ParamTensors {
  return Object.fromEntries(names.map((name, k) => [name, tensors[k] as Tensor]));
}

function flat(tensor: Tensor): Tensor {
  return tf.reshape(tensor, [-1]);
}

/** What both implementations of the fused op share: the checked sizes and host copies of one call. */
export interface FusedCall<C> {
  readonly where: string;
  readonly config: C;
  readonly T: number;
  readonly B: number;
  readonly I: number;
  /** The states' sizes, in state order; sizes[0] is the output size O. */
  readonly sizes: readonly number[];
  readonly paramNames: readonly string[];
  readonly xData: Float32Array;
  readonly maskData: Float32Array | undefined;
}

/** The op: x, the initial states and the parameters (paramNames order) in; outputs and final states packed flat out. */
export type FusedOp = (...inputs: Tensor[]) => Tensor;

/** Runs a cell's recurrence over x [T, B, I] as one differentiable op; see the module comment. */
export function fusedSequence<C, FW, BW, S extends TensorRecord, G extends TensorRecord>(
  recurrence: FusedRecurrence<C, FW, BW, S, G>,
  cell: FusedCell<C>,
  params: ParamTensors,
  x: Tensor3D,
  state: readonly Tensor[],
  mask: Tensor2D | undefined,
): CellSequenceResult {
  const { where, config } = cell;
  checkParams(where, cell.parameters, params);
  checkSequenceInputs(where, cell, x, state, mask);
  const [T, B, I] = x.shape;
  const sizes = cell.states.map((s) => s.size);
  const O = sizes[0] as number;
  const xData = x.dataSync() as Float32Array;
  checkFinite(where, 'x', x.shape, xData);
  state.forEach((s, k) => checkFinite(where, `initial state ${cell.states[k]?.name}`, s.shape, s.dataSync()));
  const maskData = mask && Float32Array.from(mask.dataSync());
  if (mask && maskData) checkMaskValues(where, mask.shape, maskData);
  const call: FusedCall<C> = { where, config, T, B, I, sizes, paramNames: cell.parameters.map((p) => p.name), xData, maskData };
  const kernels = recurrence.kernel && T * B > 0 ? activeKernels() : undefined;
  const op = kernels && recurrence.kernel ? kernelSequenceOp(recurrence.kernel, kernels, call) : tfjsSequenceOp(recurrence, call);

  return tf.tidy(() => {
    const packed = op(x, ...state, ...call.paramNames.map((name) => params[name] as Tensor));
    const outputs = tf.reshape(tf.slice(packed, [0], [T * B * O]), [T, B, O]) as Tensor3D;
    let offset = T * B * O;
    const finalState = sizes.map((size) => {
      const s = tf.reshape(tf.slice(packed, [offset], [B * size]), [B, size]) as Tensor2D;
      offset += B * size;
      return s;
    });
    return { outputs, state: finalState };
  });
}

/** The tfjs implementation: per-step tensors forward, the cell's hand-written step backward in reverse. */
function tfjsSequenceOp<C, FW, BW, S extends TensorRecord, G extends TensorRecord>(recurrence: FusedRecurrence<C, FW, BW, S, G>, call: FusedCall<C>): FusedOp {
  const { where, config, T, B, I, sizes, paramNames, xData, maskData } = call;
  const O = sizes[0] as number;
  const stateCount = sizes.length;
  const paramCount = paramNames.length;
  return tf.customGrad((...args: (Tensor | GradSaveFunc)[]) => {
    const save = args[1 + stateCount + paramCount] as GradSaveFunc;
    const inputs = args.slice(0, 1 + stateCount + paramCount) as Tensor[];
    const paramList = inputs.slice(1 + stateCount);
    let current = inputs.slice(1, 1 + stateCount) as Tensor2D[];
    const outputs: Tensor2D[] = [];
    const steps: S[] = [];
    if (T > 0) {
      const weights = recurrence.forwardWeights(named(paramNames, paramList), config);
      const xs = stepTensors(xData, T, B, I);
      for (let t = 0; t < T; t++) {
        const { next, saved } = recurrence.step(weights, xs[t] as Tensor2D, current);
        const m = stepMask(maskData, t, B);
        const previous = current;
        outputs.push(m ? tf.mul<Tensor2D>(next[0] as Tensor2D, m.m) : (next[0] as Tensor2D));
        current = m ? next.map((n, k): Tensor2D => tf.add(tf.mul(n, m.m), tf.mul(previous[k] as Tensor2D, m.keep))) : [...next];
        steps.push(saved);
      }
    }
    const keys = steps.length ? Object.keys(steps[0] as S).filter((k) => (steps[0] as S)[k] !== undefined) : [];
    save([...paramList, ...steps.flatMap((s) => keys.map((k) => s[k] as Tensor2D))]);
    const value = tf.concat([...outputs, ...current].map(flat));

    const gradFunc = (dy: Tensor, saved: Tensor[]): Tensor[] => {
      const savedParams = named(paramNames, saved.slice(0, paramCount));
      const dyData = dy.dataSync() as Float32Array;
      const dOutputs = stepTensors(dyData, T, B, O);
      let offset = T * B * O;
      let carry = sizes.map((size) => {
        const d = tf.tensor2d(dyData.subarray(offset, offset + B * size), [B, size]);
        offset += B * size;
        return d;
      });
      // No rows to sum over (T or B is 0). Not left to the products: XNNPACK leaves a K = 0 matMul's output unwritten.
      if (T * B === 0) return [tf.zeros([T, B, I]), ...carry, ...paramNames.map((name) => tf.zerosLike(savedParams[name] as Tensor))];
      const savedSteps = Array.from({ length: T }, (_, t) => Object.fromEntries(keys.map((k, j) => [k, saved[paramCount + t * keys.length + j]])) as S);
      const weights = recurrence.backwardWeights(savedParams, config);
      const rows: G[] = new Array<G>(T);
      for (let t = T - 1; t >= 0; t--) {
        const m = stepMask(maskData, t, B);
        const dy_t = dOutputs[t] as Tensor2D;
        const reaching = carry.map((d, k): Tensor2D => (k === 0 ? tf.add(d, dy_t) : d));
        const dNext = m ? reaching.map((d): Tensor2D => tf.mul(d, m.m)) : reaching;
        const gradient = recurrence.stepBackward(weights, dNext, savedSteps[t] as S);
        const carried = carry;
        carry = m ? gradient.dPrev.map((d, k): Tensor2D => tf.add(d, tf.mul(carried[k] as Tensor2D, m.keep))) : [...gradient.dPrev];
        rows[t] = gradient.rows;
      }
      const stacks: Stacks<S, G> = {
        saved: (name) => tf.concat(savedSteps.map((s) => s[name] as Tensor2D)),
        rows: (name) => tf.concat(rows.map((r) => r[name] as Tensor2D)),
      };
      const grads = recurrence.gradients(savedParams, stacks, tf.tensor2d(xData, [T * B, I]), config);
      return [
        tf.reshape(grads.x, [T, B, I]),
        ...carry,
        ...paramNames.map((name) => {
          const g = grads.params[name];
          if (!g) throw new Error(`${where}: the fused backward produced no gradient for ${name}`);
          return g;
        }),
      ];
    };
    return { value, gradFunc };
  }) as FusedOp;
}
