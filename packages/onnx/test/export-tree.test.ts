import * as tf from '@tensorflow/tfjs-core';
import { bindNode, createRegistry, initWeights, resolveModel, setupBackend, type ModelSpec, type WeightMap } from '@unfold/core';
import { cells } from '@unfold/cells/all';
import { flattenForest, forestFeeds, heads, layers, runTree, treeCells, treeValue, type TreeJson } from '@unfold/architectures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { random, randomForest } from '../../architectures/test/tree/reference';
import { exportModel, exportTreeModel, FOREST_TENSORS, readOnnxModel, readUnfoldMetadata, readUnfoldModel } from '../src/index';
import { writeForChecker } from './checker-dir';
import { withEngine } from './ort';

// A tree model (the `recursive` layer) exports to one file with interface v2 and a `tree` input port; the
// forest graph gives unfold's answers in onnxruntime-node and onnxruntime-web (wasm) on random forests of
// 1–60 nodes per tree, arity 0–4, mixed depths (1e-5 + 1e-5·|b|), reads back as the same model, and every
// exported file goes to the ONNX checker (UNFOLD_ONNX_EXPORT_DIR).
process.env.ORT_DISABLE_TELEMETRY ??= '1';
beforeAll(() => setupBackend());

const registry = createRegistry([...layers, ...heads, ...treeCells]);
const I = 3;
const H = 5;
const O = 2;
const V = 7;

function spec(kind: string, tokens: boolean): ModelSpec {
  const config: Record<string, number> = kind === 'nary-tree-lstm' ? { inputSize: I, hiddenSize: H, arity: 4 } : { inputSize: I, hiddenSize: H };
  return {
    kind: 'recursive',
    children: {
      ...(tokens ? { embedding: { kind: 'embedding', config: { vocabularySize: V, embeddingSize: I } } } : {}),
      cell: { kind, config },
      head: { kind: 'dense', config: { inputSize: H, outputSize: O } },
    },
  };
}

function withTokens(tree: TreeJson, rand: () => number): TreeJson {
  return { token: String(Math.floor(rand() * V)), children: (tree.children ?? []).map((c) => withTokens(c, rand)) };
}

type Feeds = Record<string, { data: Float32Array | Int32Array; dims: number[] }>;
type Engine = { run(feeds: Feeds): Promise<Record<string, Float32Array>>; release(): Promise<void> };

async function engine(flavour: 'node' | 'web', bytes: Uint8Array): Promise<Engine> {
  const ort = flavour === 'node' ? await import('onnxruntime-node') : await import('onnxruntime-web');
  const opened = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  // onnxruntime-node's runs are also run on the compact engine and compared (./ort).
  const session = flavour === 'node' ? await withEngine(opened as import('onnxruntime-node').InferenceSession, bytes) : opened;
  return {
    async run(feeds) {
      const tensors = Object.fromEntries(Object.entries(feeds).map(([name, v]) => [name, new ort.Tensor(v.data instanceof Int32Array ? 'int32' : 'float32', v.data, v.dims)]));
      const out = await session.run(tensors as never);
      return Object.fromEntries(Object.entries(out).map(([name, t]) => [name, (t as { data: Float32Array }).data]));
    },
    release: () => session.release(),
  };
}

const worst = { node: 0, web: 0 };
afterAll(() => {
  // The largest |onnxruntime − unfold| over every output compared, for the record.
  console.info(`tree export parity: worst |a − b| onnxruntime-node ${worst.node.toExponential(2)}, onnxruntime-web ${worst.web.toExponential(2)}`);
});

function compare(flavour: 'node' | 'web', got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length).toBe(want.length);
  for (let j = 0; j < want.length; j++) {
    const [a, b] = [got[j] as number, want[j] as number];
    worst[flavour] = Math.max(worst[flavour], Math.abs(a - b));
    if (!(Math.abs(a - b) <= 1e-5 + 1e-5 * Math.abs(b))) throw new Error(`${flavour} ${what}[${j}]: onnxruntime ${a} vs unfold ${b}`);
  }
}

describe.each(['tree-rnn', 'child-sum-tree-lstm', 'nary-tree-lstm'])('%s: exportModel of a tree model', (kind) => {
  it.each([false, true])('writes interface v2 with a tree port, reads back, and matches unfold in onnxruntime-node and -web (tokens: %s)', async (tokens) => {
    const model = { spec: spec(kind, tokens), weights: initWeights(resolveModel(registry, spec(kind, tokens)), 11) as WeightMap };
    const bytes = exportModel(registry, model);
    expect(exportTreeModel(registry, model)).toEqual(bytes);
    await writeForChecker(`tree-model.${kind}${tokens ? '.tokens' : ''}`, bytes);

    const { interface: described } = readUnfoldMetadata(readOnnxModel(bytes));
    expect(described.version).toBe(2);
    const iface = described as Extract<typeof described, { version: 2 }>;
    expect(iface.tasks).toEqual(['predict']);
    expect(iface.ports.inputs).toEqual([{ name: 'input', kind: 'tree', size: tokens ? V : I, tensor: FOREST_TENSORS.nodes }]);
    expect(iface.ports.outputs.map((p) => [p.name, p.kind, p.size, p.tensor])).toEqual([['output', 'vector', O, 'output'], ['nodes', 'vector', O, 'node_outputs']]);
    expect(iface.inputs.find((t) => t.name === 'children')?.shape).toEqual(['nodes', kind === 'nary-tree-lstm' ? 4 : 'arity']);
    expect(iface.inputs.find((t) => t.name === 'nodes')?.dtype).toBe(tokens ? 'int32' : 'float32');
    const summary = readOnnxModel(bytes);
    expect(summary.ops.Loop).toBe(1);
    expect(summary.inputs.map((v) => v.name).sort()).toEqual(['children', 'level_offsets', 'nodes', 'order', 'roots']);

    const back = readUnfoldModel(registry, bytes);
    expect(back.spec).toEqual(model.spec);
    for (const [name, w] of Object.entries(model.weights)) expect(Array.from(back.weights[name]?.data ?? []), name).toEqual(Array.from(w.data));

    const engines = { node: await engine('node', bytes), web: await engine('web', bytes) };
    const root = resolveModel(registry, model.spec);
    for (let seed = 1; seed <= 5; seed++) {
      const rand = random(300 + seed);
      const trees = randomForest(rand, I).map((t) => (tokens ? withTokens(t, rand) : t));
      const fixed = kind === 'nary-tree-lstm' ? 4 : undefined;
      const forest = flattenForest(trees, fixed ? { arity: fixed } : {});
      const arity = fixed ?? forest.arity;
      const value = treeValue(forest, tokens ? { ids: (t) => Number(t) } : { featureSize: I });
      const expected = tf.tidy(() => {
        const tensors = Object.fromEntries(Object.entries(model.weights).map(([k, w]) => [k, tf.tensor(w.data, [...w.shape])]));
        const result = runTree(bindNode(root, tensors), value);
        return { roots: result.roots.dataSync().slice(), nodes: result.nodes.dataSync().slice() };
      });
      const f = forestFeeds(forest, arity);
      const nodes = value.nodes.dataSync() as Float32Array | Int32Array;
      value.nodes.dispose();
      const feeds: Feeds = {
        nodes: { data: tokens ? Int32Array.from(nodes) : Float32Array.from(nodes), dims: tokens ? [forest.size] : [forest.size, I] },
        children: { data: f.children, dims: [forest.size, arity] },
        order: { data: f.order, dims: [forest.size] },
        level_offsets: { data: f.levelOffsets, dims: [f.levelOffsets.length] },
        roots: { data: f.roots, dims: [f.roots.length] },
      };
      for (const flavour of ['node', 'web'] as const) {
        const out = await engines[flavour].run(feeds);
        compare(flavour, out.output ?? [], expected.roots, `seed ${seed} output`);
        compare(flavour, out.node_outputs ?? [], expected.nodes, `seed ${seed} node_outputs`);
      }
    }
    await Promise.all([engines.node.release(), engines.web.release()]);
  });
});

describe('exportTreeModel errors', () => {
  it('refuses a sequence model with an ExportError', () => {
    const sequence: ModelSpec = { kind: 'sequence-model', children: { body: { kind: 'recurrent', children: { cell: { kind: 'rnn', config: { inputSize: 2, hiddenSize: 3 } } } } } };
    expect(() => exportTreeModel(createRegistry([...cells, ...layers, ...heads]), { spec: sequence, weights: {} })).toThrow(expect.objectContaining({ code: 'E_EXPORT', message: expect.stringMatching(/not a tree model/) }));
  });

  it('refuses missing weights before writing a byte', () => {
    expect(() => exportModel(registry, { spec: spec('tree-rnn', false), weights: {} })).toThrow(expect.objectContaining({ code: 'E_SERIALIZATION' }));
  });
});
