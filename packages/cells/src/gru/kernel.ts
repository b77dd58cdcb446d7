/**
 * The `gru` whole-sequence kernel on the host side: lays out the buffers of kernel.as.ts (which holds
 * the equations and their reverse) in the kernels' memory, runs the input projection and the two
 * halves of the batch on the two threads, keeps host copies of what the backward needs, and returns
 * the gradients in the cell's ONNX layout.
 */
import type { Kernels } from '../shared/kernels/module';
import { parameterGradients, type GradientBlock } from '../shared/kernels/parameter-gradients';
import { kernelResult, type KernelForward, type KernelInputs, type SequenceKernel } from '../shared/kernels/sequence-kernel';
import { KernelSession, offset, panels } from '../shared/kernels/session';
import type { GruConfig } from './gru';

function forward(kernels: Kernels, inputs: KernelInputs<GruConfig>): KernelForward {
  const { T, B, I, params, x, state, mask, config } = inputs;
  const H = config.hiddenSize;
  const G = 3 * H;
  const N = T * B;
  const lbr = config.linearBeforeReset;
  const recurrent = lbr ? G : 2 * H; // R's rows in the step's first product
  const W = params.W as Float32Array;
  const R = params.R as Float32Array;
  const s = new KernelSession(kernels, inputs.forBackward);
  // What the backward reads stays where the forward writes it (kept first, see session.ts).
  const kept = { hs: s.keep((N + B) * H), gates: s.keep(N * G), extra: s.keep(N * H) };
  const cache = inputs.cacheWeights ?? false;
  const at = {
    WP: s.packed(W, I, G, 1, I, cache), // B(k = i, n = g) = W[g, i]
    RP: s.packed(R, H, recurrent, 1, H, cache),
    RhP: lbr ? 0 : s.packed(R, H, H, 1, H, cache, 2 * H * H),
    x: s.put(x),
    bias: params.B ? s.put(params.B) : 0,
    mask: mask ? s.put(mask) : 0,
    y: s.alloc(N * H),
  };
  s.view(kept.hs, B * H).set(state[0] as Float32Array);
  s.parallel(s.split(N, 4).map((r) => [{ fn: 'project', args: [r.size, G, I, offset(at.x, r.start * I), at.WP, at.bias, 0, offset(kept.gates, r.start * G)] }]));
  const halves = s.split(B, 4).map((half) => ({ ...half, gh: s.alloc(half.size * G) }));
  s.parallel(
    halves.map((b) => [
      {
        fn: 'gruSteps',
        args: [T, B, b.size, H, at.RP, at.RhP, at.bias && offset(at.bias, G), at.mask && offset(at.mask, b.start), lbr ? 1 : 0, offset(kept.hs, b.start * H), offset(kept.gates, b.start * G), offset(kept.extra, b.start * H), offset(at.y, b.start * H), b.gh],
      },
    ]),
  );
  return kernelResult(s, inputs, { outputs: s.read(at.y, N * H), state: [s.read(offset(kept.hs, N * H), B * H)] }, (b, dOutputs, dState) => {
    const p = {
      x: b.put(x),
      W: b.put(W),
      R: b.put(R),
      mask: mask ? b.put(mask) : 0,
      ...kept,
      dy: b.put(dOutputs),
      dh: b.put(dState[0] as Float32Array),
      dA: b.alloc(N * G),
      dQ: lbr ? b.alloc(N * G) : 0,
      RP: b.alloc(recurrent * panels(H)),
      RhP: lbr ? 0 : b.alloc(H * panels(H)),
      dx: b.alloc(N * I),
      dW: b.alloc(G * I),
      dR: b.alloc(G * H),
      dbias: b.alloc(2 * G),
    };
    b.call('packB', recurrent, H, p.R, H, 1, p.RP); // R's rows as stored
    if (!lbr) b.call('packB', H, H, offset(p.R, 2 * H * H), H, 1, p.RhP);
    const parts = b.split(B, 4).map((half) => ({ ...half, direct: b.alloc(half.size * H), du: b.alloc(half.size * H) }));
    b.parallel(
      parts.map((half) => [
        {
          fn: 'gruBackSteps',
          args: [T, B, half.size, H, p.RP, p.RhP, p.mask && offset(p.mask, half.start), lbr ? 1 : 0, offset(p.hs, half.start * H), offset(p.gates, half.start * G), offset(p.extra, half.start * H), offset(p.dy, half.start * H), offset(p.dh, half.start * H), offset(p.dA, half.start * G), p.dQ && offset(p.dQ, half.start * G), half.direct, half.du],
        },
      ]),
    );
    // dA = [dpz, dpr, dph] feeds W and Wb; R and Rb take dQ = [dpz, dpr, dq] (linearBeforeReset) or,
    // without, [dpz, dpr] with h_prev and dph with r ⊙ h_prev (Rb's gradient is then Wb's).
    const blocks: GradientBlock[] = lbr
      ? [
          { dPre: p.dA, ld: G, cols: G, targets: [{ operand: p.x, K: I, dW: p.dW }], dbias: p.dbias },
          { dPre: p.dQ, ld: G, cols: G, targets: [{ operand: p.hs, K: H, dW: p.dR }], dbias: offset(p.dbias, G) },
        ]
      : [
          { dPre: p.dA, ld: G, cols: G, targets: [{ operand: p.x, K: I, dW: p.dW }], dbias: p.dbias },
          { dPre: p.dA, ld: G, cols: 2 * H, targets: [{ operand: p.hs, K: H, dW: p.dR }] },
          { dPre: offset(p.dA, 2 * H), ld: G, cols: H, targets: [{ operand: p.extra, K: H, dW: offset(p.dR, 2 * H * H) }] },
        ];
    parameterGradients(b, N, { dPre: p.dA, ld: G, G, I, W: p.W, dx: p.dx }, blocks);
    const grads: Record<string, Float32Array> = { W: b.read(p.dW, G * I), R: b.read(p.dR, G * H) };
    if (params.B) {
      const dbias = b.read(p.dbias, 2 * G);
      if (!lbr) dbias.copyWithin(G, 0, G);
      grads.B = dbias;
    }
    return { x: b.read(p.dx, N * I), state: [b.read(p.dh, B * H)], params: grads };
  });
}

export const gruKernel: SequenceKernel<GruConfig> = { forward };
