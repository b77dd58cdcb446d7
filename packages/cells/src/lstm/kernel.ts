/**
 * The `lstm` whole-sequence kernel on the host side: lays out the buffers of kernel.as.ts (which holds
 * the equations and their reverse) in the kernels' memory, runs the forward, keeps host copies of what
 * the backward needs, and maps the gradients back to the cell's ONNX-layout parameters.
 */
import { KernelArena, type KernelExports } from '../shared/kernels/module';
import { panels, stackedBias, type KernelForward, type KernelInputs, type SequenceKernel } from '../shared/kernels/sequence-kernel';
import type { LstmConfig } from './lstm';

function forward(kernels: KernelExports, inputs: KernelInputs<LstmConfig>): KernelForward {
  const { T, B, I, params, x, state, mask, config } = inputs;
  const H = config.hiddenSize;
  const G = 4 * H;
  const N = T * B;
  const clip = config.clip ?? 0;
  const W = params.W as Float32Array;
  const R = params.R as Float32Array;
  const arena = new KernelArena(kernels);
  const at = {
    x: arena.put(x),
    W: arena.put(W),
    R: arena.put(R),
    bias: params.B ? arena.put(params.B) : 0,
    P: params.P ? arena.put(params.P) : 0,
    mask: mask ? arena.put(mask) : 0,
    hs: arena.alloc((N + B) * H),
    cs: arena.alloc((N + B) * H),
    gates: arena.alloc(N * G),
    inRange: clip > 0 ? arena.alloc(N * G) : 0,
    tanhC: arena.alloc(N * H),
    y: arena.alloc(N * H),
    scratch: arena.alloc(panels(G) * Math.max(I, H)),
  };
  arena.view(at.hs, B * H).set(state[0] as Float32Array);
  arena.view(at.cs, B * H).set(state[1] as Float32Array);
  kernels.lstmForward(T, B, I, H, at.x, at.W, at.R, at.bias, at.P, at.mask, clip, config.inputForget ? 1 : 0, at.hs, at.cs, at.gates, at.inRange, at.tanhC, at.y, at.scratch);
  const saved = {
    hs: arena.read(at.hs, (N + B) * H),
    cs: arena.read(at.cs, (N + B) * H),
    gates: arena.read(at.gates, N * G),
    inRange: clip > 0 ? arena.read(at.inRange, N * G) : undefined,
    tanhC: arena.read(at.tanhC, N * H),
  };
  return {
    outputs: arena.read(at.y, N * H),
    state: [saved.hs.slice(N * H), saved.cs.slice(N * H)],
    backward(dOutputs, dState) {
      const back = new KernelArena(kernels);
      const p = {
        x: back.put(x),
        W: back.put(W),
        R: back.put(R),
        P: params.P ? back.put(params.P) : 0,
        mask: mask ? back.put(mask) : 0,
        hs: back.put(saved.hs),
        cs: back.put(saved.cs),
        gates: back.put(saved.gates),
        inRange: saved.inRange ? back.put(saved.inRange) : 0,
        tanhC: back.put(saved.tanhC),
        dy: back.put(dOutputs),
        dh: back.put(dState[0] as Float32Array),
        dc: back.put(dState[1] as Float32Array),
        dPre: back.alloc(N * G),
        tmp: back.alloc(Math.max(B * H, Math.max(I, H) * G)),
        scratch: back.alloc(Math.max(G * panels(H), G * panels(I), N * panels(G))),
        dx: back.alloc(N * I),
        dW: back.alloc(G * I),
        dR: back.alloc(G * H),
        dbias: back.alloc(G),
        dP: params.P ? back.alloc(3 * H) : 0,
      };
      kernels.lstmBackward(T, B, I, H, p.x, p.W, p.R, p.P, p.mask, clip, config.inputForget ? 1 : 0, p.hs, p.cs, p.gates, p.inRange, p.tanhC, p.dy, p.dh, p.dc, p.dPre, p.tmp, p.scratch, p.dx, p.dW, p.dR, p.dbias, p.dP);
      const dbias = back.read(p.dbias, G);
      const grads: Record<string, Float32Array> = { W: back.read(p.dW, G * I), R: back.read(p.dR, G * H) };
      if (params.B) grads.B = stackedBias(dbias);
      if (params.P) grads.P = back.read(p.dP, 3 * H);
      return { x: back.read(p.dx, N * I), state: [back.read(p.dh, B * H), back.read(p.dc, B * H)], params: grads };
    },
  };
}

export const lstmKernel: SequenceKernel<LstmConfig> = { forward };
