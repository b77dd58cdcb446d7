/**
 * Linear scales and axis ticks for the report's charts: a domain [d0, d1] maps to a pixel range [r0, r1]
 * by r0 + (v − d0)·(r1 − r0)/(d1 − d0); ticks are "nice" numbers 1, 2 or 5 × 10^k apart.
 */

/** The finite min and max of the values, widened to a non-empty interval. */
export function extent(values: Iterable<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return [0, 1];
  if (lo === hi) return [lo - (Math.abs(lo) || 1) * 0.5, hi + (Math.abs(hi) || 1) * 0.5];
  return [lo, hi];
}

/** The step between about `count` ticks over [lo, hi]: 1, 2 or 5 times a power of ten. */
export function tickStep(lo: number, hi: number, count: number): number {
  const raw = (hi - lo) / Math.max(count, 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

/** The domain widened to whole tick steps, and the ticks inside it. */
export function niceDomain(lo: number, hi: number, count = 5): { domain: [number, number]; ticks: number[] } {
  const step = tickStep(lo, hi, count);
  const start = Math.floor(lo / step) * step;
  const end = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let i = 0; start + i * step <= end + step * 1e-9; i++) ticks.push(roundTo(start + i * step, step));
  return { domain: [start, end], ticks };
}

function roundTo(value: number, step: number): number {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(value.toFixed(Math.min(digits, 12)));
}

/** v ↦ pixel, for a domain and a pixel range. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** A tick label: integers plain, others with the step's decimals, large or tiny values in exponent form. */
export function formatTick(value: number, step: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) return value.toExponential(1);
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  return value.toFixed(decimals);
}

/**
 * Ticks for a logarithmic axis over [lo, hi] (both > 0): 1, 2 and 5 × 10^k when the range spans at most
 * two decades, else the powers of ten (and 3 × 10^k for under four decades, so an axis always has ticks).
 */
export function logTicks(lo: number, hi: number): number[] {
  const first = Math.floor(Math.log10(lo));
  const last = Math.ceil(Math.log10(hi));
  const decades = Math.log10(hi / lo);
  const mantissas = decades <= 2 ? [1, 2, 5] : decades <= 4 ? [1, 3] : [1];
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) for (const m of mantissas) ticks.push(Number((m * 10 ** k).toPrecision(6)));
  return ticks.filter((t) => t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9));
}

/** v ↦ pixel on a logarithmic axis. */
export function logScale(domain: readonly [number, number], range: readonly [number, number]): (v: number) => number {
  const linear = linearScale([Math.log10(domain[0]), Math.log10(domain[1])], range);
  return (v) => linear(Math.log10(v));
}
