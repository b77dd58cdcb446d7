/**
 * The `lstm` whole-sequence kernel on the host side: lays out the buffers of kernel.as.ts (which holds
 * the equations and their reverse) in the kernels' memory, runs the input projection and the two
 * halves of the batch on the two threads, keeps host copies of what the backward needs, and returns
 * the gradients in the cell's ONNX layout.
 */
import type { Kernels } from '../shared/kernels/module';
import { parameterGradients } from '../shared/kernels/parameter-gradients';
import { kernelResult, stackedBias, type KernelForward, type KernelInputs, type SequenceKernel } from '../shared/kernels/sequence-kernel';
import { KernelSession, offset, panels } from '../shared/kernels/session';
import type { LstmConfig } from './lstm';

function forward(kernels: Kernels, inputs: KernelInputs<LstmConfig>): KernelForward {
  const { T, B, I, params, x, state, mask, config } = inputs;
  const H = config.hiddenSize;
  const G = 4 * H;
  const N = T * B;
  const clip = config.clip ?? 0;
  const inputForget = config.inputForget ? 1 : 0;
  const W = params.W as Float32Array;
  const R = params.R as Float32Array;
  const s = new KernelSession(kernels, inputs.forBackward);
  // What the backward reads stays where the forward writes it (kept first, see session.ts).
  const kept = {
    hs: s.keep((N + B) * H),
    cs: s.keep((N + B) * H),
    gates: s.keep(N * G),
    inRange: clip > 0 ? s.keep(N * G) : 0,
    tanhC: s.keep(N * H),
  };
  const cache = inputs.cacheWeights ?? false;
  const at = {
    WP: s.packed(W, I, G, 1, I, cache), // B(k = i, n = g) = W[g, i]
    RP: s.packed(R, H, G, 1, H, cache),
    x: s.put(x),
    bias: params.B ? s.put(params.B) : 0,
    P: params.P ? s.put(params.P) : 0,
    mask: mask ? s.put(mask) : 0,
    y: s.alloc(N * H),
  };
  s.view(kept.hs, B * H).set(state[0] as Float32Array);
  s.view(kept.cs, B * H).set(state[1] as Float32Array);
  s.parallel(s.split(N, 4).map((r) => [{ fn: 'project', args: [r.size, G, I, offset(at.x, r.start * I), at.WP, at.bias, at.bias && offset(at.bias, G), offset(kept.gates, r.start * G)] }]));
  s.parallel(
    s.split(B, 4).map((b) => [
      {
        fn: 'lstmSteps',
        args: [T, B, b.size, H, at.RP, at.P, at.mask && offset(at.mask, b.start), clip, inputForget, offset(kept.hs, b.start * H), offset(kept.cs, b.start * H), offset(kept.gates, b.start * G), kept.inRange && offset(kept.inRange, b.start * G), offset(kept.tanhC, b.start * H), offset(at.y, b.start * H)],
      },
    ]),
  );
  return kernelResult(s, inputs, { outputs: s.read(at.y, N * H), state: [s.read(offset(kept.hs, N * H), B * H), s.read(offset(kept.cs, N * H), B * H)] }, (b, dOutputs, dState) => {
    const p = {
      x: b.put(x),
      W: b.put(W),
      R: b.put(R),
      P: params.P ? b.put(params.P) : 0,
      mask: mask ? b.put(mask) : 0,
      ...kept,
      dy: b.put(dOutputs),
      dh: b.put(dState[0] as Float32Array),
      dc: b.put(dState[1] as Float32Array),
      dPre: b.alloc(N * G),
      RP: b.alloc(G * panels(H)),
      dx: b.alloc(N * I),
      dW: b.alloc(G * I),
      dR: b.alloc(G * H),
      dbias: b.alloc(G),
    };
    b.call('packB', G, H, p.R, H, 1, p.RP); // R as stored
    const halves = b.split(B, 4).map((half) => ({ ...half, tmp: b.alloc(half.size * H), dP: params.P ? b.alloc(3 * H) : 0 }));
    b.parallel(
      halves.map((half) => [
        {
          fn: 'lstmBackSteps',
          args: [T, B, half.size, H, p.RP, p.P, p.mask && offset(p.mask, half.start), clip, inputForget, offset(p.hs, half.start * H), offset(p.cs, half.start * H), offset(p.gates, half.start * G), p.inRange && offset(p.inRange, half.start * G), offset(p.tanhC, half.start * H), offset(p.dy, half.start * H), offset(p.dh, half.start * H), offset(p.dc, half.start * H), offset(p.dPre, half.start * G), half.tmp, half.dP],
        },
      ]),
    );
    parameterGradients(b, N, { dPre: p.dPre, ld: G, G, I, W: p.W, dx: p.dx }, [
      { dPre: p.dPre, ld: G, cols: G, targets: [{ operand: p.x, K: I, dW: p.dW }, { operand: p.hs, K: H, dW: p.dR }], dbias: p.dbias },
    ]);
    const grads: Record<string, Float32Array> = { W: b.read(p.dW, G * I), R: b.read(p.dR, G * H) };
    if (params.B) grads.B = stackedBias(b.read(p.dbias, G));
    if (params.P) {
      const dP = new Float32Array(3 * H);
      for (const half of halves) b.view(half.dP, 3 * H).forEach((v, i) => (dP[i] = (dP[i] as number) + v));
      grads.P = dP;
    }
    return { x: b.read(p.dx, N * I), state: [b.read(p.dh, B * H), b.read(p.dc, B * H)], params: grads };
  });
}

export const lstmKernel: SequenceKernel<LstmConfig> = { forward };
