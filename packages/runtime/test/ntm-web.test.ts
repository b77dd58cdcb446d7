import * as tf from '@tensorflow/tfjs-core';
import { heads, layers } from '@unfold/architectures';
import { cells } from '@unfold/cells/all';
import { createRegistry, Rng, setupBackend, stateOf, resolveModel, type ModelSpec } from '@unfold/core';
import { exportModel, stateInputName, stateOutputName } from '@unfold/onnx';
import { createModel } from '@unfold/training';
import { withEngine } from '../../onnx/test/ort';
import { beforeAll, describe, expect, it } from 'vitest';

// The exported NTM (a Scan carrying the [B, N, M] memory) gives the same answers in onnxruntime-web (wasm)
// as in onnxruntime-node and as unfold's forward pass, at several lengths and batch sizes, one call and
// streamed in chunks through state_out → state_in; with the feed-forward and with the LSTM controller.
process.env.ORT_DISABLE_TELEMETRY ??= '1';
beforeAll(() => setupBackend());

const registry = createRegistry([...cells, ...layers, ...heads]);
/** The NTM with the feed-forward or the LSTM controller (whose h and c stream as state too). */
const specOf = (controller: 'feedforward' | 'lstm'): ModelSpec => ({
  kind: 'sequence-model',
  children: {
    body: { kind: 'recurrent', children: { cell: { kind: 'ntm', config: { inputSize: 3, outputSize: 4, controller, controllerSize: 8, memorySlots: 6, memoryWidth: 4, readHeads: 2, writeHeads: 1, shiftRange: 1 } } } },
    output: { kind: 'dense', config: { inputSize: 4, outputSize: 2 } },
  },
});

type Feeds = Record<string, { data: Float32Array | Int32Array; dims: number[] }>;
type Engine = (feeds: Feeds) => Promise<Record<string, Float32Array>>;

async function engine(flavour: 'node' | 'web', bytes: Uint8Array): Promise<Engine> {
  const ort = flavour === 'node' ? await import('onnxruntime-node') : await import('onnxruntime-web');
  const opened = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  // onnxruntime-node's runs are also run on the compact engine and compared.
  const session = flavour === 'node' ? await withEngine(opened as import('onnxruntime-node').InferenceSession, bytes) : opened;
  return async (feeds) => {
    const tensors = Object.fromEntries(Object.entries(feeds).map(([name, v]) => [name, new ort.Tensor(v.data instanceof Int32Array ? 'int32' : 'float32', v.data, v.dims)]));
    const out = await session.run(tensors as never);
    return Object.fromEntries(Object.entries(out).map(([name, t]) => [name, (t as { data: Float32Array }).data]));
  };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  return worst;
}

describe('ntm in onnxruntime-web', () => {
  it.each(['feedforward', 'lstm'] as const)('%s controller: matches onnxruntime-node and unfold at T = 0, 1, 5, 12 and batches 1 and 3, and streams in chunks', async (controller) => {
    const spec = specOf(controller);
    const model = createModel(registry, spec, { seed: 3 });
    const weights = model.toModelData().weights;
    const bytes = exportModel(registry, { spec, weights });
    const engines = { node: await engine('node', bytes), web: await engine('web', bytes) };
    const states = stateOf(resolveModel(registry, spec));
    expect(states.length).toBe(controller === 'lstm' ? 6 : 4); // memory, read and write weights, reads (+ h, c)
    const rng = new Rng('ntm-web');
    let worst = 0;
    for (const T of [0, 1, 5, 12]) {
      for (const B of [1, 3]) {
        const x = Float32Array.from({ length: B * T * 3 }, () => rng.uniformIn(-1, 1));
        const lengths = Int32Array.from({ length: B }, (_, b) => (b === 0 ? T : rng.int(T + 1)));
        const feeds: Feeds = { input: { data: x, dims: [B, T, 3] }, sequence_lens: { data: lengths, dims: [B] } };
        for (const s of states) feeds[stateInputName(s.name)] = { data: new Float32Array(B * s.size), dims: [B, ...s.shape] };
        const [node, web] = [await engines.node(feeds), await engines.web(feeds)];
        worst = Math.max(worst, maxDiff(web.output as Float32Array, node.output as Float32Array));
        for (const s of states) worst = Math.max(worst, maxDiff(web[stateOutputName(s.name)] as Float32Array, node[stateOutputName(s.name)] as Float32Array));
        if (T > 0) {
          const reference = tf.tidy(() => model.forward(tf.tensor3d(x, [B, T, 3]), { lengths }).outputs.dataSync());
          const outputs = web.output as Float32Array;
          for (let b = 0; b < B; b++) for (let t = 0; t < (lengths[b] as number); t++) for (let o = 0; o < 2; o++) worst = Math.max(worst, Math.abs((outputs[(b * T + t) * 2 + o] as number) - (reference[(b * T + t) * 2 + o] as number)));
        }
        // Streamed in two chunks through state_out → state_in (full lengths), equal to the one call.
        if (T >= 2) {
          const full = Int32Array.from({ length: B }, () => T);
          const whole = await engines.web({ ...feeds, sequence_lens: { data: full, dims: [B] } });
          const cut = Math.floor(T / 2);
          const slice = (from: number, to: number) => {
            const out = new Float32Array(B * (to - from) * 3);
            for (let b = 0; b < B; b++) out.set(x.subarray((b * T + from) * 3, (b * T + to) * 3), b * (to - from) * 3);
            return out;
          };
          const first = await engines.web({ ...feeds, input: { data: slice(0, cut), dims: [B, cut, 3] }, sequence_lens: { data: Int32Array.from({ length: B }, () => cut), dims: [B] } });
          const next: Feeds = { input: { data: slice(cut, T), dims: [B, T - cut, 3] }, sequence_lens: { data: Int32Array.from({ length: B }, () => T - cut), dims: [B] } };
          for (const s of states) next[stateInputName(s.name)] = { data: first[stateOutputName(s.name)] as Float32Array, dims: [B, ...s.shape] };
          const second = await engines.web(next);
          for (const s of states) worst = Math.max(worst, maxDiff(second[stateOutputName(s.name)] as Float32Array, whole[stateOutputName(s.name)] as Float32Array));
        }
      }
    }
    model.dispose();
    expect(worst).toBeLessThan(1e-5);
  }, 60_000);
});
