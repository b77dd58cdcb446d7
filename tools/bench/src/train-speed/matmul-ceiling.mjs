// The ceiling the tfjs-path training rates (unfold-tfjs, tfjs-layers) are compared with: tfjs-wasm's own
// matMul (XNNPACK, 128-bit SIMD), measured in the bench's ceiling process (ceiling-child.mjs) on the same
// backend and thread count as those contenders. The kernel rows have their own (kernel-ceiling.mjs).
//
// How (the old measurement read 2–3 GFLOP/s where the backend sustains 20+): the product is never returned
// from tf.tidy — tidy walks a returned typed array element by element looking for tensors, which cost more
// than the product itself — each shape is warmed up (XNNPACK packs its operands on first use), every timed
// repetition runs `reps` products and reads the last result back inside the timed region (wasm executes
// synchronously, so the read only adds one copy, charged to every shape alike), and the figure is the best
// repetition of the best shape: a shared machine can only ever lower it.
import * as tf from '@tensorflow/tfjs';

/** GFLOP/s of [m, k]·[k, n] on the active backend: the best of `repeats` timed repetitions after warm-up. */
export function matmulRate([m, k, n], repeats = 5) {
  const a = tf.randomUniform([m, k], -1, 1);
  const b = tf.randomUniform([k, n], -1, 1);
  // Repetitions of about 50 ms: small shapes run many products per timing.
  const reps = Math.max(1, Math.round(1e9 / (2 * m * k * n)));
  const run = () => {
    for (let r = 1; r < reps; r++) tf.matMul(a, b).dispose();
    const last = tf.matMul(a, b);
    last.dataSync();
    last.dispose();
  };
  run();
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    run();
    best = Math.min(best, (performance.now() - start) / 1000 / reps);
  }
  tf.dispose([a, b]);
  return (2 * m * k * n) / best / 1e9;
}

/**
 * The shapes a recurrent training step multiplies at (B, I, H, G gates), plus square ones: the input
 * projection of all steps, the per-step recurrent and concatenated products, their transposes in the
 * backward pass, and 256³–1024³.
 */
export function ceilingShapes({ batch: B, input: I, hidden: H, gates: G, steps: T }) {
  return [
    [B * T, I, G * H], [B, H, G * H], [B, I + H, G * H], [I + H, B, G * H], [B, G * H, I + H],
    [256, 256, 256], [512, 512, 512], [1024, 1024, 1024],
  ];
}

/** The wasm backend's thread count (1 where WebAssembly threads are unavailable, as in Node today). */
async function backendThreads() {
  if (tf.getBackend() !== 'wasm') return 1;
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  return wasm.getThreadsCount();
}

/** Every shape's rate, best first, and the backend's thread count. */
export async function measureCeiling(shapes) {
  const rates = shapes.map((shape) => ({ shape, gflops: matmulRate(shape) })).sort((x, y) => y.gflops - x.gflops);
  return { backend: tf.getBackend(), threads: await backendThreads(), rates };
}
