import type { Units } from './requests';
import type { UnfoldInfo } from './info/unfold-info';

/**
 * Conversions between the caller's units and the model's. A model whose metadata carries
 * `normalisation: { mean, std }` (what `unfold train` writes: the series was z-scored for inputs and
 * targets alike) takes z = (x − mean) / std and returns values to map back with x = z·std + mean.
 * With `units: "normalised"`, or without normalisation, both are the identity (undefined).
 */
export interface Scaling {
  readonly toModel: ((x: number) => number) | undefined;
  readonly toCaller: ((z: number) => number) | undefined;
}

export function scalingOf(info: UnfoldInfo, units: Units): Scaling {
  const n = info.normalisation;
  if (!n || units === 'normalised') return { toModel: undefined, toCaller: undefined };
  return { toModel: (x) => (x - n.mean) / n.std, toCaller: (z) => z * n.std + n.mean };
}
