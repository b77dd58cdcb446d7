// onnxruntime-node's float32 MatMul peak, the ceiling the ONNX bench's GFLOP/s are compared with. A single
// 1024³ product timed seven times (median) read 1.5–2.3× below what the engine sustains; the peak is the
// best over shapes (square ones and the recurrent products' own), intra-op thread counts and warm
// repetitions — a shared machine can only ever lower a rate, never raise it. B is an initializer, as a
// model's weights are (onnxruntime prepacks it); A is fed.

/** The shapes tried, [m, k, n]: squares, a tall product, and the recurrent step's input/recurrent GEMMs. */
export function gemmShapes({ input: I, hidden: H, steps: T, gates = 4 }) {
  return [[256, 256, 256], [512, 512, 512], [1024, 1024, 1024], [2048, 1024, 1024], [64 * T, I, gates * H], [64, H, gates * H]];
}

/**
 * GFLOP/s of every (shape, threads) pair, best first: each warmed up (3 calls), then `repeats` timed
 * repetitions of about 50 ms each, the best one kept. `build(shape)` returns the model bytes and its feeds.
 */
export async function measureGemmPeak(ort, build, shapes, threadCounts, sessionOptions, repeats = 7) {
  const results = [];
  for (const threads of threadCounts) {
    for (const shape of shapes) {
      const [m, k, n] = shape;
      const { bytes, feeds } = build(shape);
      const session = await ort.InferenceSession.create(bytes, { ...sessionOptions, intraOpNumThreads: threads });
      for (let i = 0; i < 3; i++) await session.run(feeds);
      const calls = Math.max(1, Math.round(5e9 / (2 * m * k * n) / 50));
      let best = Infinity;
      for (let i = 0; i < repeats; i++) {
        const start = performance.now();
        for (let c = 0; c < calls; c++) await session.run(feeds);
        best = Math.min(best, (performance.now() - start) / 1000 / calls);
      }
      await session.release();
      results.push({ shape: shape.join('×'), threads, gflops: (2 * m * k * n) / best / 1e9 });
    }
  }
  return results.sort((a, b) => b.gflops - a.gflops);
}
