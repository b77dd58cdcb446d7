import { uniform, type Initializer, type Rng } from '@unfold/core';
import { spectralRadius } from './spectral-radius';

/**
 * Initialisers of the fixed echo-state weights. All are deterministic functions of the generator they
 * are given (each parameter gets its own, forked from the model seed and the parameter's path).
 */

/** U(−s, s); all zeros for s = 0. */
export function scaledUniform(scale: number): Initializer {
  return uniform(-scale, scale);
}

/** Draws before giving up on a reservoir whose spectral radius is 0 (nilpotent; probability ~0). */
const MAX_DRAWS = 8;

/**
 * A sparse random reservoir W [H, H] scaled to spectral radius ρ:
 *   1. each row gets `perRow` non-zeros in distinct columns (a partial Fisher–Yates shuffle), each U(−1, 1);
 *      a fixed count per row keeps every unit connected (Lukoševičius 2012, §3.2.2);
 *   2. ρ₀ = ρ(W₀) in float64 (./spectral-radius: exact QR up to H = 256, Arnoldi above);
 *   3. W = (ρ / ρ₀) · W₀, rounded to float32.
 * Every row has an out-edge, so the connection graph has a cycle and ρ₀ > 0 almost surely; a draw with
 * ρ₀ = 0 is redrawn.
 */
export function sparseReservoir(perRow: number, radius: number): Initializer {
  return (shape, rng) => {
    const [H, columns] = shape as [number, number];
    if (shape.length !== 2 || H !== columns) throw new RangeError(`sparseReservoir: expected a square [H, H] shape, got [${shape.join(', ')}]`);
    if (!Number.isSafeInteger(perRow) || perRow < 1 || perRow > H) throw new RangeError(`sparseReservoir: expected 1 <= perRow <= ${H}, got ${perRow}`);
    if (!(radius > 0)) throw new RangeError(`sparseReservoir: expected a spectral radius > 0, got ${radius}`);
    for (let draw = 0; draw < MAX_DRAWS; draw++) {
      const w = randomSparse(H, perRow, rng);
      const rho = spectralRadius(w, H);
      if (rho > 0) return Float32Array.from(w, (value) => (value * radius) / rho);
    }
    throw new Error(`sparseReservoir: ${MAX_DRAWS} draws of a ${H}×${H} reservoir with ${perRow} non-zeros per row all had spectral radius 0`);
  };
}

/** W₀ [H, H] in float64: `perRow` distinct random columns per row, values U(−1, 1). */
function randomSparse(H: number, perRow: number, rng: Rng): Float64Array {
  const w = new Float64Array(H * H);
  const columns = Int32Array.from({ length: H }, (_, j) => j);
  for (let i = 0; i < H; i++) {
    for (let k = 0; k < perRow; k++) {
      const pick = k + rng.int(H - k);
      const column = columns[pick] as number;
      columns[pick] = columns[k] as number;
      columns[k] = column;
      w[i * H + column] = rng.uniformIn(-1, 1);
    }
  }
  return w;
}
