/**
 * Learning-rate schedules: functions from the 0-based step to a rate, usable as `learningRate`.
 */
export const schedules = {
  /** η · decayᶠˡᵒᵒʳ⁽ˢᵗᵉᵖ/ᵉᵛᵉʳʸ⁾ */
  exponential(initial: number, decay: number, every: number): (step: number) => number {
    return (step) => initial * decay ** Math.floor(step / every);
  },
  /** Cosine from `initial` to `final` over `steps`, then `final`. */
  cosine(initial: number, final: number, steps: number): (step: number) => number {
    return (step) => final + 0.5 * (initial - final) * (1 + Math.cos(Math.PI * Math.min(step, steps) / steps));
  },
  /** Linear warm-up from initial/steps to `initial` over `steps`, then `after(step)` (default: constant). */
  warmup(initial: number, steps: number, after: (step: number) => number = () => initial): (step: number) => number {
    return (step) => (step < steps ? (initial * (step + 1)) / steps : after(step));
  },
};
