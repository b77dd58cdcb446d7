/**
 * The leaky-integrator kernel's forward over all T steps (kernel.as.ts), from host arrays: what both the
 * training op (integrator-kernel.ts, which keeps `kept` for its backward) and inference (kernels.ts, the
 * compact engine's RNN) run. No tfjs here.
 */
import type { Pointer } from '../shared/kernels/module';
import { offset, type KernelSession } from '../shared/kernels/session';

/** An integrator's weights as host arrays: U [H, I], R [H, H], b [H] or none, α [H]. */
export interface HostIntegrator {
  readonly U: Float32Array;
  readonly R: Float32Array;
  readonly bias: Float32Array | undefined;
  /** α per unit [H] (a single rate repeated). */
  readonly alpha: Float32Array;
  readonly alphaIsParameter: boolean;
  readonly relu: boolean;
}

export interface IntegratorRun {
  readonly T: number;
  readonly B: number;
  readonly I: number;
  readonly H: number;
  /** [T·B, I], time-major. */
  readonly x: Float32Array;
  /** [B, H]. */
  readonly h0: Float32Array;
  /** [T·B] of 0/1, or undefined when every step is real. */
  readonly mask: Float32Array | undefined;
  /** Pack U and R once and keep them while the arrays live (inference over fixed weights, session.packed). */
  readonly cacheWeights?: boolean;
}

/**
 * Lays out and runs the forward in session `s`: `kept.hs` [(T+1)·B, H] holds every state (the last B rows
 * the final one), `kept.acts` the activations, `at.y` the outputs (0 at padded steps).
 */
export function integratorSteps(s: KernelSession, w: HostIntegrator, run: IntegratorRun): { kept: { hs: Pointer; acts: Pointer }; at: { y: Pointer } } {
  const { T, B, I, H, x, h0, mask } = run;
  const N = T * B;
  const kept = { hs: s.keep((N + B) * H), acts: s.keep(N * H) };
  const at = {
    UP: s.packed(w.U, I, H, 1, I, run.cacheWeights ?? false), // B(k = i, n = j) = U[j, i]
    RP: s.packed(w.R, H, H, 1, H, run.cacheWeights ?? false),
    x: s.put(x),
    bias: w.bias ? s.put(w.bias) : 0,
    alpha: s.put(w.alpha),
    mask: mask ? s.put(mask) : 0,
    y: s.alloc(N * H),
  };
  s.view(kept.hs, B * H).set(h0);
  const relu = w.relu ? 1 : 0;
  s.parallel(s.split(N, 4).map((r) => [{ fn: 'project', args: [r.size, H, I, offset(at.x, r.start * I), at.UP, at.bias, 0, offset(kept.acts, r.start * H)] }]));
  s.parallel(s.split(B, 4).map((b) => [{ fn: 'leakySteps', args: [T, B, b.size, H, at.RP, at.alpha, at.mask && offset(at.mask, b.start), relu, offset(kept.hs, b.start * H), offset(kept.acts, b.start * H), offset(at.y, b.start * H)] }]));
  return { kept, at };
}
