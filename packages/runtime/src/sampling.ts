import type { ParsedSampling } from './requests';
import type { Rng } from './rng';

/**
 * Choosing the next token from one row of a token model's outputs.
 *
 *   scores s_i = log p_i (a softmax head: probabilities) or z_i (a linear head: logits)
 *   greedy:  argmax_i s_i (the lowest index on ties)
 *   sample:  keep the topK largest s_i (lowest index first on ties), q_i ∝ exp((s_i − max s) / T),
 *            draw u = rng.next() ∈ [0, 1) and take the first i (in index order) with u < Σ_{j ≤ i} q_j
 *
 * Sums run in float64 over the float32 scores, so the same scores and seed give the same token on every
 * engine. Non-finite scores (log 0, a NaN from a broken model) never win: they get weight 0.
 */
export function chooseToken(row: ArrayLike<number>, kind: 'probabilities' | 'logits', sampling: ParsedSampling, rng: Rng): number {
  const size = row.length;
  const scores = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const value = row[i] as number;
    const score = kind === 'probabilities' ? Math.log(value) : value;
    scores[i] = Number.isNaN(score) ? -Infinity : score;
  }
  if (sampling.strategy === 'greedy') return argmax(scores);
  const kept = keptIndices(scores, sampling.topK ?? size);
  const best = Math.max(...kept.map((i) => scores[i] as number));
  if (best === -Infinity) return kept[0] as number; // nothing has weight: fall back to the first candidate
  const weights = kept.map((i) => Math.exp(((scores[i] as number) - best) / sampling.temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  const u = rng.next() * total;
  let cumulative = 0;
  for (let k = 0; k < kept.length; k++) {
    cumulative += weights[k] as number;
    if (u < cumulative) return kept[k] as number;
  }
  return kept[kept.length - 1] as number;
}

function argmax(scores: Float64Array): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if ((scores[i] as number) > (scores[best] as number)) best = i;
  return best;
}

/** The indices of the k largest scores, in index order (so cumulative sums are taken in a fixed order). */
function keptIndices(scores: Float64Array, k: number): number[] {
  const order = Array.from(scores.keys()).sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  return order.slice(0, k).sort((a, b) => a - b);
}
