import { Rng, type HostTensor } from '@unfold/core';

/**
 * Gradient checking against float64 central finite differences.
 *
 * For a sampled element p of a named tensor, with the other elements fixed and L the float64 reference loss:
 *   numeric  = (L(p + ε) − L(p − ε)) / (2ε)         error O(ε²·L''') + O(1e-16·|L| / ε)
 *   forward  = (L(p + ε) − L(p)) / ε,  backward = (L(p) − L(p − ε)) / ε
 * A smooth point has forward ≈ backward (they differ by about ε·L''); where they differ by more than
 * the tolerance, p sits on a kink (relu at 0, a clip boundary) where no derivative exists, and the
 * element is skipped and counted. Each checked element must satisfy |analytic − numeric| <=
 * atol + rtol·|numeric|. The analytic gradient comes from unfold in float32, so the defaults
 * (atol 1e-4, rtol 1e-3) leave room for float32 rounding in a backward pass and nothing more.
 */
export interface GradientCheckOptions {
  /** Default 1e-4. */
  readonly atol?: number;
  /** Default 1e-3. */
  readonly rtol?: number;
  /** Finite-difference step, in float64. Default 1e-6. */
  readonly epsilon?: number;
  /** Elements sampled per tensor; all when the tensor has fewer. Default 8. */
  readonly samples?: number;
  /** Seed of the element sampling. Default 0. */
  readonly seed?: number;
}

export interface GradientCheckWorst {
  readonly name: string;
  /** Flat row-major index into the tensor. */
  readonly index: number;
  readonly analytic: number;
  readonly numeric: number;
}

export interface GradientCheckResult {
  /** Elements compared. */
  readonly checked: number;
  /** Sampled elements left out because they sit on a kink. */
  readonly skippedAtKinks: number;
  /** The checked element with the largest |analytic − numeric| relative to its tolerance. */
  readonly worst: GradientCheckWorst | undefined;
}

export type GradientPoint = Readonly<Record<string, HostTensor>>;

export interface GradientCheckArgs extends GradientCheckOptions {
  /** Where to evaluate: parameters and/or inputs, by name. */
  readonly point: GradientPoint;
  /** Gradients of the scalar loss w.r.t. each named tensor, computed by unfold (float32). */
  readonly analytic: (point: GradientPoint) => Readonly<Record<string, Float32Array>>;
  /** The same scalar loss computed in plain-JS float64. Must not keep or modify the arrays it gets. */
  readonly reference: (point: Readonly<Record<string, Float64Array>>) => number;
  /** Which tensors to check; default every tensor in `point`. */
  readonly names?: readonly string[];
}

/** Up to `samples` distinct indices in [0, size), sorted; all of them when size <= samples. */
export function sampleIndices(size: number, samples: number, rng: Rng): number[] {
  if (size <= samples) return Array.from({ length: size }, (_, i) => i);
  return Array.from(rng.permutation(size).subarray(0, samples)).sort((a, b) => a - b);
}

/** `W[1, 2]` for flat index 5 of a [2, 3] tensor. */
export function formatElement(name: string, shape: readonly number[], index: number): string {
  const coordinates: number[] = [];
  let rest = index;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const dim = shape[axis] as number;
    coordinates.unshift(dim > 0 ? rest % dim : 0);
    rest = dim > 0 ? Math.floor(rest / dim) : 0;
  }
  return `${name}[${coordinates.join(', ')}]`;
}

function fail(summary: string, fix: string): never {
  throw new Error(`checkGradients: ${summary}. Fix: ${fix}`);
}

/**
 * Compares unfold's analytic gradients with float64 central differences of a reference loss on a seeded
 * sample of elements. Throws an Error naming the worst element when any checked element is outside
 * tolerance, when an analytic gradient is missing, non-finite or of the wrong length, when the reference
 * loss is not finite, or when more than half of the sampled elements sit on kinks.
 */
export function checkGradients(args: GradientCheckArgs): GradientCheckResult {
  const atol = args.atol ?? 1e-4;
  const rtol = args.rtol ?? 1e-3;
  const epsilon = args.epsilon ?? 1e-6;
  const samples = args.samples ?? 8;
  const names = args.names ?? Object.keys(args.point);
  if (!(epsilon > 0) || !Number.isSafeInteger(samples) || samples < 1) {
    fail(`invalid options epsilon ${epsilon}, samples ${samples}`, 'use epsilon > 0 and an integer samples >= 1');
  }
  for (const name of names) {
    if (!args.point[name]) fail(`no tensor ${JSON.stringify(name)} in point (has ${Object.keys(args.point).join(', ')})`, 'name only tensors the point holds');
  }

  const analytic = args.analytic(args.point);
  const at64: Record<string, Float64Array> = {};
  for (const [name, tensor] of Object.entries(args.point)) at64[name] = Float64Array.from(tensor.data);
  const loss = (): number => args.reference(at64);
  const base = loss();
  if (!Number.isFinite(base)) fail(`the reference loss is ${base} at the given point`, 'evaluate at a point where the loss is finite');

  const rng = new Rng(args.seed ?? 0);
  let checked = 0;
  let skippedAtKinks = 0;
  let failures = 0;
  let worst: GradientCheckWorst | undefined;
  let worstRatio = -1;
  let worstText = '';
  for (const name of names) {
    const tensor = args.point[name] as HostTensor;
    const values = at64[name] as Float64Array;
    const gradient = analytic[name];
    if (!gradient) fail(`the analytic gradient of ${JSON.stringify(name)} is missing (got ${Object.keys(analytic).join(', ') || 'none'})`, 'return a gradient for every checked name');
    if (gradient.length !== values.length) fail(`the analytic gradient of ${name} has ${gradient.length} values; expected ${values.length} for shape [${tensor.shape.join(', ')}]`, 'return one value per element, row-major');
    const bad = gradient.findIndex((g) => !Number.isFinite(g));
    if (bad >= 0) fail(`the analytic gradient ${formatElement(name, tensor.shape, bad)} is ${gradient[bad]}`, 'find where the backward pass overflows or divides by zero');

    for (const index of sampleIndices(values.length, samples, rng.fork(name))) {
      const original = values[index] as number;
      values[index] = original + epsilon;
      const up = values[index] as number;
      const lossUp = loss();
      values[index] = original - epsilon;
      const down = values[index] as number;
      const lossDown = loss();
      values[index] = original;
      // Divide by the steps actually taken: original ± ε is rounded in float64.
      const numeric = (lossUp - lossDown) / (up - down);
      const forward = (lossUp - base) / (up - original);
      const backward = (base - lossDown) / (original - down);
      const element = formatElement(name, tensor.shape, index);
      if (!Number.isFinite(numeric)) fail(`the reference loss is not finite next to ${element}`, 'evaluate at a point where the loss is finite in a neighbourhood of ±epsilon');
      const allowed = atol + rtol * Math.abs(numeric);
      if (Math.abs(forward - backward) > allowed) {
        skippedAtKinks++;
        continue;
      }
      checked++;
      const value = gradient[index] as number;
      const ratio = Math.abs(value - numeric) / allowed;
      if (ratio > 1) failures++;
      if (ratio > worstRatio) {
        worstRatio = ratio;
        worst = { name, index, analytic: value, numeric };
        worstText = `${element}: analytic ${value}, numeric ${numeric}, |diff| ${Math.abs(value - numeric).toExponential(3)}, allowed ${allowed.toExponential(3)} (atol ${atol} + rtol ${rtol}·|numeric|)`;
      }
    }
  }

  const sampled = checked + skippedAtKinks;
  if (skippedAtKinks * 2 > sampled) {
    fail(`${skippedAtKinks} of ${sampled} sampled elements sit on kinks (forward and backward differences disagree), too many to trust the check`, 'move the point away from non-differentiable places (relu at 0, clip boundaries), e.g. with another seed or random inputs');
  }
  if (failures > 0) {
    fail(`${failures} of ${checked} checked elements disagree with float64 finite differences (${skippedAtKinks} skipped at kinks); worst ${worstText}`, 'the backward pass (or the reference) is wrong at the named element');
  }
  return { checked, skippedAtKinks, worst };
}
