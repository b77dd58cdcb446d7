/**
 * The `gru` whole-sequence kernel on the host side: lays out the buffers of kernel.as.ts (which holds
 * the equations and their reverse) in the kernels' memory, runs the forward, keeps host copies of what
 * the backward needs, and returns the gradients in the cell's ONNX layout.
 */
import { KernelArena, type KernelExports } from '../shared/kernels/module';
import { panels, type KernelForward, type KernelInputs, type SequenceKernel } from '../shared/kernels/sequence-kernel';
import type { GruConfig } from './gru';

function forward(kernels: KernelExports, inputs: KernelInputs<GruConfig>): KernelForward {
  const { T, B, I, params, x, state, mask, config } = inputs;
  const H = config.hiddenSize;
  const G = 3 * H;
  const N = T * B;
  const lbr = config.linearBeforeReset ? 1 : 0;
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
    gates: arena.alloc(N * G),
    extra: arena.alloc(N * H),
    y: arena.alloc(N * H),
    gh: arena.alloc(B * G),
    scratch: arena.alloc(Math.max(I * panels(G), panels(G) * H + H * panels(H))),
  };
  arena.view(at.hs, B * H).set(state[0] as Float32Array);
  kernels.gruForward(T, B, I, H, at.x, at.W, at.R, at.bias, at.mask, lbr, at.hs, at.gates, at.extra, at.y, at.gh, at.scratch);
  const saved = { hs: arena.read(at.hs, (N + B) * H), gates: arena.read(at.gates, N * G), extra: arena.read(at.extra, N * H) };
  return {
    outputs: arena.read(at.y, N * H),
    state: [saved.hs.slice(N * H)],
    backward(dOutputs, dState) {
      const back = new KernelArena(kernels);
      const p = {
        x: back.put(x),
        W: back.put(W),
        R: back.put(R),
        mask: mask ? back.put(mask) : 0,
        hs: back.put(saved.hs),
        gates: back.put(saved.gates),
        extra: back.put(saved.extra),
        dy: back.put(dOutputs),
        dh: back.put(dState[0] as Float32Array),
        dA: back.alloc(N * G),
        dQ: lbr ? back.alloc(N * G) : 0,
        direct: back.alloc(B * H),
        du: back.alloc(B * H),
        tmp: back.alloc(Math.max(I, H) * G),
        scratch: back.alloc(Math.max(G * panels(H) + H * panels(H), G * panels(I), N * panels(G))),
        dx: back.alloc(N * I),
        dW: back.alloc(G * I),
        dR: back.alloc(G * H),
        dbias: back.alloc(2 * G),
      };
      kernels.gruBackward(T, B, I, H, p.x, p.W, p.R, p.mask, lbr, p.hs, p.gates, p.extra, p.dy, p.dh, p.dA, p.dQ, p.direct, p.du, p.tmp, p.scratch, p.dx, p.dW, p.dR, p.dbias);
      const grads: Record<string, Float32Array> = { W: back.read(p.dW, G * I), R: back.read(p.dR, G * H) };
      if (params.B) grads.B = back.read(p.dbias, 2 * G);
      return { x: back.read(p.dx, N * I), state: [back.read(p.dh, B * H)], params: grads };
    },
  };
}

export const gruKernel: SequenceKernel<GruConfig> = { forward };
