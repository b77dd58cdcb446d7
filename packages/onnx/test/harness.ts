import * as tf from '@tensorflow/tfjs-core';
import { heads, layers, runSequence, stateOf } from '@unfold/architectures';
import { bindNode, createRegistry, initWeights, resolveModel, Rng, type AnyPlugin, type ModelSpec, type Registry, type ResolvedNode, type WeightMap } from '@unfold/core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { exportModel, stateInputName, stateOutputName, type ExportOptions } from '../src/index';
import { exportModelFile } from '../src/node';
import { openSession, type HostValue, type OrtSession } from './ort';

/**
 * Builds a model from the architectures' plugins plus test cells, exports it, and runs it both ways:
 * unfold's own forward pass (runSequence on tfjs) and the exported file in onnxruntime-node.
 * With UNFOLD_ONNX_EXPORT_DIR set, every exported file is also written there for the Python checker
 * (tools/onnx-check/check.py).
 */
export interface ExportedModel {
  readonly name: string;
  readonly registry: Registry;
  readonly spec: ModelSpec;
  readonly root: ResolvedNode;
  readonly weights: WeightMap;
  readonly bytes: Uint8Array;
  readonly session: OrtSession;
  readonly options: ExportOptions;
}

export interface RunInputs {
  /** [B, T, I] float32, or [B, T] int32 ids. */
  readonly x: HostValue;
  /** Real lengths [B]; undefined: all full length. */
  readonly lengths?: Int32Array;
  /** Initial states in stateOf(root) order, each [B, ...shape]; undefined: zeros. */
  readonly initialState?: readonly HostValue[];
}

export interface RunResult {
  /** [B, T', O] batch-first. */
  readonly output: HostValue;
  readonly finalState: readonly HostValue[];
}

export function registryWith(plugins: readonly AnyPlugin[]): Registry {
  return createRegistry([...plugins, ...layers, ...heads]);
}

/** Exports `spec` with weights from `seed` (or the given `weights`, e.g. after training) and opens it in onnxruntime. */
export async function exportForTest(name: string, plugins: readonly AnyPlugin[], spec: ModelSpec, options: ExportOptions = {}, seed = 7, trained?: WeightMap): Promise<ExportedModel> {
  const registry = registryWith(plugins);
  const root = resolveModel(registry, spec);
  const weights = trained ?? initWeights(root, seed);
  const bytes = exportModel(registry, { spec, weights }, options);
  const folder = process.env.UNFOLD_ONNX_EXPORT_DIR;
  if (folder) {
    mkdirSync(folder, { recursive: true });
    await exportModelFile(registry, join(folder, `${name}.onnx`), { spec, weights }, options);
  }
  return { name, registry, spec, root, weights, bytes, session: await openSession(bytes), options };
}

/** unfold's forward pass through runSequence (the checked entry point), read back to host memory. */
export function unfoldForward(model: ExportedModel, inputs: RunInputs): RunResult {
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, w] of Object.entries(model.weights)) tensors[name] = tf.tensor(w.data, [...w.shape]);
  let result: RunResult | undefined;
  try {
    tf.tidy(() => {
      const x = inputs.x.data instanceof Int32Array ? tf.tensor(inputs.x.data, [...inputs.x.shape], 'int32') : tf.tensor(inputs.x.data, [...inputs.x.shape]);
      const run = runSequence(bindNode(model.root, tensors), {
        x: x as tf.Tensor3D,
        ...(inputs.lengths ? { lengths: inputs.lengths } : {}),
        ...(inputs.initialState ? { initialState: inputs.initialState.map((s) => tf.tensor(s.data as Float32Array, [...s.shape])) } : {}),
      });
      const read = (t: tf.Tensor): HostValue => ({ shape: t.shape, data: t.dataSync() as Float32Array });
      result = { output: read(run.outputs), finalState: run.finalState.map(read) };
    });
  } finally {
    Object.values(tensors).forEach((t) => t.dispose());
  }
  return result as RunResult;
}

/** The exported model in onnxruntime; `lengths` and states may have a batch of 1 (broadcast). */
export async function onnxForward(model: ExportedModel, feeds: { readonly x: HostValue; readonly lengths?: HostValue; readonly initialState?: readonly HostValue[] }): Promise<RunResult> {
  const states = stateOf(model.root);
  const given: Record<string, HostValue> = { input: feeds.x };
  if (feeds.lengths) given.sequence_lens = feeds.lengths;
  states.forEach((state, i) => {
    const value = feeds.initialState?.[i];
    if (value) given[stateInputName(state.name)] = value;
  });
  // A model exported without sequence_lens or state_in.* inputs takes only what it declares.
  const accepted = Object.fromEntries(Object.entries(given).filter(([name]) => model.session.inputNames.includes(name)));
  const results = await model.session.run(accepted);
  return { output: results.output as HostValue, finalState: states.map((s) => results[stateOutputName(s.name)] as HostValue) };
}

/** Uniform [-1, 1) float32 values of a shape. */
export function randomFloats(rng: Rng, shape: readonly number[]): HostValue {
  return { shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniformIn(-1, 1)) };
}

/** Random ids in [0, vocabulary) of a shape. */
export function randomTokens(rng: Rng, shape: readonly number[], vocabulary: number): HostValue {
  return { shape, data: Int32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.int(vocabulary)) };
}
