/**
 * The `rnn` whole-sequence kernel on the host side: lays out the buffers of kernel.as.ts (which holds
 * the equations and their reverse) in the kernels' memory, runs the input projection and the two
 * halves of the batch on the two threads, keeps host copies of what the backward needs, and returns
 * the gradients in the cell's ONNX layout.
 */
import type { Kernels } from '../shared/kernels/module';
import { parameterGradients } from '../shared/kernels/parameter-gradients';
import { keptUntilBackward, stackedBias, type KernelForward, type KernelInputs, type SequenceKernel } from '../shared/kernels/sequence-kernel';
import { KernelSession, offset, panels } from '../shared/kernels/session';
import type { RnnConfig } from './rnn';

function forward(kernels: Kernels, inputs: KernelInputs<RnnConfig>): KernelForward {
  const { T, B, I, params, x, state, mask, config } = inputs;
  const H = config.hiddenSize;
  const N = T * B;
  const relu = config.activation === 'relu' ? 1 : 0;
  const W = params.W as Float32Array;
  const R = params.R as Float32Array;
  const s = new KernelSession(kernels, inputs.forBackward);
  // What the backward reads stays where the forward writes it (kept first, see session.ts).
  const kept = { hs: s.keep((N + B) * H), acts: s.keep(N * H) };
  const at = {
    x: s.put(x),
    W: s.put(W),
    R: s.put(R),
    bias: params.B ? s.put(params.B) : 0,
    mask: mask ? s.put(mask) : 0,
    y: s.alloc(N * H),
    WP: s.alloc(I * panels(H)),
    RP: s.alloc(H * panels(H)),
  };
  s.view(kept.hs, B * H).set(state[0] as Float32Array);
  s.call('packB', I, H, at.W, 1, I, at.WP); // B(k = i, n = j) = W[j, i]
  s.call('packB', H, H, at.R, 1, H, at.RP);
  s.parallel(s.split(N, 4).map((r) => [{ fn: 'project', args: [r.size, H, I, offset(at.x, r.start * I), at.WP, at.bias, at.bias && offset(at.bias, H), offset(kept.acts, r.start * H)] }]));
  s.parallel(s.split(B, 4).map((b) => [{ fn: 'rnnSteps', args: [T, B, b.size, H, at.RP, at.mask && offset(at.mask, b.start), relu, offset(kept.hs, b.start * H), offset(kept.acts, b.start * H), offset(at.y, b.start * H)] }]));
  const result: KernelForward = {
    outputs: s.read(at.y, N * H),
    state: [s.read(offset(kept.hs, N * H), B * H)],
    backward(dOutputs, dState) {
      buffers.claim();
      const b = new KernelSession(kernels);
      const p = {
        x: b.put(x),
        W: b.put(W),
        R: b.put(R),
        mask: mask ? b.put(mask) : 0,
        ...kept,
        dy: b.put(dOutputs),
        dh: b.put(dState[0] as Float32Array),
        dP: b.alloc(N * H),
        RP: b.alloc(H * panels(H)),
        dx: b.alloc(N * I),
        dW: b.alloc(H * I),
        dR: b.alloc(H * H),
        dbias: b.alloc(H),
      };
      b.call('packB', H, H, p.R, H, 1, p.RP); // R as stored
      const halves = b.split(B, 4).map((half) => ({ ...half, tmp: b.alloc(half.size * H) }));
      b.parallel(halves.map((half) => [{ fn: 'rnnBackSteps', args: [T, B, half.size, H, p.RP, p.mask && offset(p.mask, half.start), relu, offset(p.acts, half.start * H), offset(p.dy, half.start * H), offset(p.dh, half.start * H), offset(p.dP, half.start * H), half.tmp] }]));
      parameterGradients(b, N, { dPre: p.dP, ld: H, G: H, I, W: p.W, dx: p.dx }, [
        { dPre: p.dP, ld: H, cols: H, targets: [{ operand: p.x, K: I, dW: p.dW }, { operand: p.hs, K: H, dW: p.dR }], dbias: p.dbias },
      ]);
      const grads: Record<string, Float32Array> = { W: b.read(p.dW, H * I), R: b.read(p.dR, H * H) };
      if (params.B) grads.B = stackedBias(b.read(p.dbias, H));
      const gradients = { x: b.read(p.dx, N * I), state: [b.read(p.dh, B * H)], params: grads };
      buffers.free();
      return gradients;
    },
  };
  const buffers = keptUntilBackward(s, inputs, result);
  return result;
}

export const rnnKernel: SequenceKernel<RnnConfig> = { forward };
