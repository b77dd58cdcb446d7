import { ConfigError, Rng } from '@unfold/core';

/**
 * NARMA-10 (Atiya & Parlos 2000), the standard reservoir-computing benchmark of memory and nonlinearity:
 *
 *   y(t+1) = 0.3 y(t) + 0.05 y(t) Σᵢ₌₀⁹ y(t−i) + 1.5 u(t−9) u(t) + 0.1,      u(t) ~ U(0, 0.5)
 *
 * Returns the input u and the target y aligned per step: `y[t]` is the NARMA output y(t+1), the target of
 * the step that reads `u[t]`. Diverging sequences (rare) are regenerated with the next seed fork.
 */
export function narma10(options: { length: number; seed: number }): { u: Float64Array; y: Float64Array } {
  const { length, seed } = options;
  if (!Number.isSafeInteger(length) || length < 11) throw new ConfigError('invalid NARMA-10 length', { where: 'narma10', expected: 'an integer >= 11', got: String(length) });
  for (let attempt = 0; ; attempt++) {
    const rng = new Rng(seed).fork(`narma10/${attempt}`);
    const u = new Float64Array(length);
    for (let t = 0; t < length; t++) u[t] = 0.5 * rng.uniform();
    const y = new Float64Array(length);
    let ok = true;
    for (let t = 9; t < length - 1; t++) {
      let sum = 0;
      for (let i = 0; i < 10; i++) sum += y[t - i] as number;
      const next = 0.3 * (y[t] as number) + 0.05 * (y[t] as number) * sum + 1.5 * (u[t - 9] as number) * (u[t] as number) + 0.1;
      if (!Number.isFinite(next) || Math.abs(next) > 10) {
        ok = false;
        break;
      }
      y[t + 1] = next;
    }
    if (ok) {
      // target for the step reading u[t] is y[t + 1]
      const target = new Float64Array(length);
      for (let t = 0; t < length - 1; t++) target[t] = y[t + 1] as number;
      target[length - 1] = Number.NaN;
      return { u: u.subarray(0, length - 1), y: target.subarray(0, length - 1) };
    }
  }
}
