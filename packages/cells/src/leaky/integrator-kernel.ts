/**
 * The leaky-integrator whole-sequence kernel (kernel.as.ts) on the host side, for any cell that is an
 * integrator through an IntegratorLayout (`leaky`, `esn`): the layout gives U, R, b and α as tensors,
 * read once to the host; the kernel runs the input projection and the two halves of the batch on the
 * two threads; the gradients go back through the layout to the cell's own parameters.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { Kernels } from '../shared/kernels/module';
import { parameterGradients } from '../shared/kernels/parameter-gradients';
import { kernelResult, type HostParams, type KernelForward, type KernelInputs, type SequenceKernel } from '../shared/kernels/sequence-kernel';
import { KernelSession, offset, panels } from '../shared/kernels/session';
import type { IntegratorLayout } from './integrator';
import { integratorSteps, type HostIntegrator } from './integrator-steps';

function hostWeights<C>(layout: IntegratorLayout<C>, inputs: KernelInputs<C>, H: number): HostIntegrator {
  let host: HostIntegrator | undefined;
  tf.tidy(() => {
    const w = layout.weights(inputs.tensors, inputs.config);
    host = {
      U: Float32Array.from(w.input.dataSync()),
      R: Float32Array.from(w.recurrent.dataSync()),
      bias: w.bias && Float32Array.from(w.bias.dataSync()),
      alpha: typeof w.alpha === 'number' ? new Float32Array(H).fill(w.alpha) : Float32Array.from(w.alpha.dataSync()),
      alphaIsParameter: typeof w.alpha !== 'number',
      relu: w.activation === 'relu',
    };
  });
  return host as HostIntegrator;
}

/** The layout's parameter gradients from the integrator's, as host copies. */
function hostGradients<C>(layout: IntegratorLayout<C>, inputs: KernelInputs<C>, H: number, d: { U: Float32Array; R: Float32Array; bias: Float32Array; alpha: Float32Array | undefined }): HostParams {
  const I = d.U.length / H;
  const result: Record<string, Float32Array> = {};
  tf.tidy(() => {
    const gradients = {
      input: tf.tensor2d(d.U, [H, I]) as Tensor2D,
      recurrent: tf.tensor2d(d.R, [H, H]) as Tensor2D,
      bias: tf.tensor1d(d.bias) as Tensor1D,
      alpha: d.alpha && (tf.tensor1d(d.alpha) as Tensor1D),
    };
    const byName = layout.parameterGradients(inputs.tensors, gradients, inputs.config) as Record<string, Tensor>;
    for (const [name, tensor] of Object.entries(byName)) result[name] = Float32Array.from(tensor.dataSync());
  });
  return result;
}

/** The SequenceKernel of an integrator with the given layout; `hiddenSize` reads H from the config. */
export function integratorKernel<C>(layout: IntegratorLayout<C>, hiddenSize: (config: C) => number): SequenceKernel<C> {
  function forward(kernels: Kernels, inputs: KernelInputs<C>): KernelForward {
    const { T, B, I, x, state, mask } = inputs;
    const H = hiddenSize(inputs.config);
    const N = T * B;
    const w = hostWeights(layout, inputs, H);
    const relu = w.relu ? 1 : 0;
    const s = new KernelSession(kernels, inputs.forBackward);
    const { kept, at } = integratorSteps(s, w, { T, B, I, H, x, h0: state[0] as Float32Array, mask });
    return kernelResult(s, inputs, { outputs: s.read(at.y, N * H), state: [s.read(offset(kept.hs, N * H), B * H)] }, (b, dOutputs, dState) => {
      const p = {
        x: b.put(x),
        U: b.put(w.U),
        R: b.put(w.R),
        alpha: b.put(w.alpha),
        mask: mask ? b.put(mask) : 0,
        ...kept,
        dy: b.put(dOutputs),
        dh: b.put(dState[0] as Float32Array),
        dPre: b.alloc(N * H),
        RP: b.alloc(H * panels(H)),
        dx: b.alloc(N * I),
        dU: b.alloc(H * I),
        dR: b.alloc(H * H),
        dbias: b.alloc(H),
      };
      b.call('packB', H, H, p.R, H, 1, p.RP); // R as stored
      const halves = b.split(B, 4).map((half) => ({ ...half, dAlpha: b.alloc(H) }));
      b.parallel(halves.map((half) => [{ fn: 'leakyBackSteps', args: [T, B, half.size, H, p.RP, p.alpha, p.mask && offset(p.mask, half.start), relu, offset(p.hs, half.start * H), offset(p.acts, half.start * H), offset(p.dy, half.start * H), offset(p.dh, half.start * H), offset(p.dPre, half.start * H), half.dAlpha] }]));
      parameterGradients(b, N, { dPre: p.dPre, ld: H, G: H, I, W: p.U, dx: p.dx }, [
        { dPre: p.dPre, ld: H, cols: H, targets: [{ operand: p.x, K: I, dW: p.dU }, { operand: p.hs, K: H, dW: p.dR }], dbias: p.dbias },
      ]);
      let dAlpha: Float32Array | undefined;
      if (w.alphaIsParameter) {
        dAlpha = new Float32Array(H);
        for (const half of halves) b.view(half.dAlpha, H).forEach((v, i) => ((dAlpha as Float32Array)[i] = ((dAlpha as Float32Array)[i] as number) + v));
      }
      const params = hostGradients(layout, inputs, H, { U: b.read(p.dU, H * I), R: b.read(p.dR, H * H), bias: b.read(p.dbias, H), alpha: dAlpha });
      return { x: b.read(p.dx, N * I), state: [b.read(p.dh, B * H)], params };
    });
  }
  return { forward };
}
