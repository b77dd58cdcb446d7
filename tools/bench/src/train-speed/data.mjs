// The bench's training batch: B sequences of T steps × I features and one target each, from a fixed LCG so
// every contender (and the Python one, which runs the same generator) trains on the same numbers.

/** U(−0.5, 0.5) values from the LCG s ← (1103515245·s + 12345) mod 2³¹, seed 12345: x row-major, then y. */
export function benchBatch(B, T, I) {
  let s = 12345;
  const r = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
  const x = Array.from({ length: B }, () => Array.from({ length: T }, () => Array.from({ length: I }, r)));
  const y = Array.from({ length: B }, () => [r()]);
  return { x, y };
}
