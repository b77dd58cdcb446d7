/**
 * The `rnn` whole-sequence kernel on the host side: lays out the buffers of kernel.as.ts (which holds
 * the equations and their reverse) in the kernels' memory, runs the forward, keeps host copies of what
 * the backward needs, and maps the gradients back to the cell's ONNX-layout parameters.
 */
import { KernelArena, type KernelExports } from '../shared/kernels/module';
import { panels, stackedBias, type KernelForward, type KernelInputs, type SequenceKernel } from '../shared/kernels/sequence-kernel';
import type { RnnConfig } from './rnn';

function forward(kernels: KernelExports, inputs: KernelInputs<RnnConfig>): KernelForward {
  const { T, B, I, params, x, state, mask, config } = inputs;
  const H = config.hiddenSize;
  const N = T * B;
  const relu = config.activation === 'relu' ? 1 : 0;
  const W = params.W as Float32Array;
  const R = params.R as Float32Array;
  const arena = new KernelArena(kernels);
  const at = {
    x: arena.put(x),
    W: arena.put(W),
    R: arena.put(R),
    bias: params.B ? arena.put(params.B) : 0,
    mask: mask ? arena.put(mask) : 0,
    hs: arena.alloc((N + B) * H),
    acts: arena.alloc(N * H),
    y: arena.alloc(N * H),
    scratch: arena.alloc(panels(H) * Math.max(I, H)),
  };
  arena.view(at.hs, B * H).set(state[0] as Float32Array);
  kernels.rnnForward(T, B, I, H, at.x, at.W, at.R, at.bias, at.mask, relu, at.hs, at.acts, at.y, at.scratch);
  const hs = arena.read(at.hs, (N + B) * H);
  const acts = arena.read(at.acts, N * H);
  return {
    outputs: arena.read(at.y, N * H),
    state: [hs.slice(N * H)],
    backward(dOutputs, dState) {
      const back = new KernelArena(kernels);
      const p = {
        x: back.put(x),
        W: back.put(W),
        R: back.put(R),
        mask: mask ? back.put(mask) : 0,
        hs: back.put(hs),
        acts: back.put(acts),
        dy: back.put(dOutputs),
        dh: back.put(dState[0] as Float32Array),
        dP: back.alloc(N * H),
        tmp: back.alloc(Math.max(B, I, H) * H),
        scratch: back.alloc(panels(H) * Math.max(I, H, N)),
        dx: back.alloc(N * I),
        dW: back.alloc(H * I),
        dR: back.alloc(H * H),
        dbias: back.alloc(H),
      };
      kernels.rnnBackward(T, B, I, H, p.x, p.W, p.R, p.mask, relu, p.hs, p.acts, p.dy, p.dh, p.dP, p.tmp, p.scratch, p.dx, p.dW, p.dR, p.dbias);
      const grads: Record<string, Float32Array> = { W: back.read(p.dW, H * I), R: back.read(p.dR, H * H) };
      if (params.B) grads.B = stackedBias(back.read(p.dbias, H));
      return { x: back.read(p.dx, N * I), state: [back.read(p.dh, B * H)], params: grads };
    },
  };
}

export const rnnKernel: SequenceKernel<RnnConfig> = { forward };
