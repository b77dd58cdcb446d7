import { ConfigError, Rng } from '@unfold/core';

/**
 * The Mackey–Glass delay differential equation (Mackey & Glass 1977), chaotic for τ = 17:
 *
 *   dx/dt = β x(t − τ) / (1 + x(t − τ)ⁿ) − γ x(t)        β 0.2, γ 0.1, n 10
 *
 * Integrated with 4th-order Runge–Kutta at step `dt` (delayed values linearly interpolated from the
 * history), sampled every `sampleEvery` time units after discarding `discard` samples of transient.
 * The history before t = 0 is x₀ plus small seeded noise. Returns the samples (≈ 0.2 to 1.4).
 */
export interface MackeyGlassOptions {
  readonly length: number;
  readonly tau?: number;
  readonly beta?: number;
  readonly gamma?: number;
  readonly n?: number;
  readonly dt?: number;
  readonly sampleEvery?: number;
  readonly discard?: number;
  readonly x0?: number;
  readonly seed?: number;
}

export function mackeyGlass(options: MackeyGlassOptions): Float64Array {
  const { length, tau = 17, beta = 0.2, gamma = 0.1, n = 10, dt = 0.1, sampleEvery = 1, discard = 500, x0 = 1.2, seed = 0 } = options;
  if (!Number.isSafeInteger(length) || length < 1) throw new ConfigError('invalid Mackey-Glass length', { where: 'mackeyGlass', expected: 'an integer >= 1', got: String(length) });
  const stepsPerSample = Math.round(sampleEvery / dt);
  const delaySteps = Math.round(tau / dt);
  const total = (length + discard) * stepsPerSample;
  const rng = new Rng(seed).fork('mackey-glass');
  const history = new Float64Array(delaySteps + total + 1);
  for (let i = 0; i <= delaySteps; i++) history[i] = x0 + 0.01 * (rng.uniform() - 0.5);
  const derivative = (x: number, delayed: number): number => (beta * delayed) / (1 + delayed ** n) - gamma * x;
  for (let i = delaySteps; i < delaySteps + total; i++) {
    const x = history[i] as number;
    const delayedNow = history[i - delaySteps] as number;
    const delayedNext = history[i - delaySteps + 1] as number;
    const delayedMid = 0.5 * (delayedNow + delayedNext);
    const k1 = derivative(x, delayedNow);
    const k2 = derivative(x + 0.5 * dt * k1, delayedMid);
    const k3 = derivative(x + 0.5 * dt * k2, delayedMid);
    const k4 = derivative(x + dt * k3, delayedNext);
    history[i + 1] = x + (dt / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
  }
  const out = new Float64Array(length);
  for (let s = 0; s < length; s++) out[s] = history[delaySteps + (discard + s + 1) * stepsPerSample] as number;
  return out;
}
