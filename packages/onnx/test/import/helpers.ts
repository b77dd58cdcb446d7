import * as tf from '@tensorflow/tfjs-core';
import { heads, layers, runSequence } from '@unfold/architectures';
import { cells } from '@unfold/cells/all';
import { bindNode, createRegistry, resolveModel, type HostTensor, type Registry } from '@unfold/core';
import { compareClose } from '@unfold/testing';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { fromUnfoldOutputs, toUnfoldInputs, type FeedTensor, type ImportedModel } from '../../src/index';

/**
 * Shared by the import tests: the committed PyTorch fixtures, unfold's forward pass on an imported model
 * fed by the file's input names, onnxruntime-node on the original file (int64 inputs included), and the
 * acceptance comparison |a − b| <= 1e-5 + 1e-5·|b| with the largest difference recorded.
 */
export const FIXTURE_DIR = join(__dirname, '..', 'fixtures', 'torch-onnx');

export interface JsonTensor {
  readonly shape: number[];
  readonly data: number[];
  readonly dtype?: 'int64' | 'int32' | 'float32';
}

export interface TorchFixture {
  readonly name: string;
  readonly file: string;
  readonly opset: number;
  readonly module: { readonly mode: string; readonly packed: string | null; readonly head: number | null; readonly read: 'steps' | 'last' | 'final'; readonly batchFirst: boolean; readonly numLayers: number; readonly bidirectional: boolean; readonly initialState: boolean };
  readonly ops: string[];
  readonly inputNames: string[];
  readonly outputNames: string[];
  readonly cases: readonly { readonly inputs: Record<string, JsonTensor>; readonly outputs: Record<string, JsonTensor> }[];
}

export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

export function loadTorchFixture(name: string): { fixture: TorchFixture; bytes: Uint8Array } {
  const fixture = JSON.parse(readFileSync(join(FIXTURE_DIR, `${name}.json`), 'utf8')) as TorchFixture;
  return { fixture, bytes: new Uint8Array(readFileSync(join(FIXTURE_DIR, fixture.file))) };
}

export function feedOf(tensor: JsonTensor): FeedTensor {
  if (tensor.dtype === 'int64') return { shape: tensor.shape, data: BigInt64Array.from(tensor.data, (v) => BigInt(v)) };
  if (tensor.dtype === 'int32') return { shape: tensor.shape, data: Int32Array.from(tensor.data) };
  return { shape: tensor.shape, data: Float32Array.from(tensor.data) };
}

export function feedsOf(tensors: Readonly<Record<string, JsonTensor>>): Record<string, FeedTensor> {
  return Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, feedOf(t)]));
}

let registry: Registry | undefined;
export function fullRegistry(): Registry {
  registry ??= createRegistry([...cells, ...layers, ...heads]);
  return registry;
}

/** unfold's forward pass (runSequence) on an imported model, fed and read back under the file's names. */
export function runImported(model: ImportedModel, feeds: Readonly<Record<string, FeedTensor>>): Record<string, HostTensor> {
  const root = resolveModel(fullRegistry(), model.spec);
  const unfoldFeeds = toUnfoldInputs(model.interface, feeds);
  const tensors = Object.fromEntries(Object.entries(model.weights).map(([name, w]) => [name, tf.tensor(w.data, [...w.shape])]));
  const results: Record<string, HostTensor> = {};
  try {
    tf.tidy(() => {
      const run = runSequence(bindNode(root, tensors), {
        x: tf.tensor3d(unfoldFeeds.x.data, unfoldFeeds.x.shape as [number, number, number]),
        ...(unfoldFeeds.lengths ? { lengths: unfoldFeeds.lengths } : {}),
        ...(unfoldFeeds.initialState ? { initialState: unfoldFeeds.initialState.map((s) => tf.tensor2d(s.data, s.shape as [number, number])) } : {}),
      });
      const read = (t: tf.Tensor): HostTensor => ({ shape: t.shape, data: t.dataSync() as Float32Array });
      Object.assign(results, fromUnfoldOutputs(model.interface, { output: read(run.outputs), finalState: run.finalState.map(read) }));
    });
  } finally {
    Object.values(tensors).forEach((t) => t.dispose());
  }
  return results;
}

let ort: Promise<typeof Ort> | undefined;
function loadOrt(): Promise<typeof Ort> {
  process.env.ORT_DISABLE_TELEMETRY ??= '1';
  ort ??= import('onnxruntime-node').then((m) => ((m as { default?: typeof Ort }).default ?? m) as typeof Ort);
  return ort;
}

/** Runs a file in onnxruntime-node's CPU provider with feeds of any of float32, int32 and int64. */
export async function runOrt(bytes: Uint8Array, feeds: Readonly<Record<string, FeedTensor>>): Promise<Record<string, HostTensor>> {
  const runtime = await loadOrt();
  const session = await runtime.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  try {
    const tensors: Record<string, Ort.Tensor> = {};
    for (const [name, feed] of Object.entries(feeds)) {
      const type = feed.data instanceof BigInt64Array ? 'int64' : feed.data instanceof Int32Array ? 'int32' : 'float32';
      tensors[name] = new runtime.Tensor(type, feed.data as Float32Array, [...feed.shape]);
    }
    const results = await session.run(tensors);
    return Object.fromEntries(Object.entries(results).map(([name, t]) => [name, { shape: t.dims.map(Number), data: t.data as Float32Array }]));
  } finally {
    await session.release();
  }
}

/** Keeps only the values at real steps (t < length) of a [B, T, F] or [T, B, F] tensor; others as they are. */
export function realSteps(value: HostTensor, lengths: readonly number[] | undefined, batchFirst: boolean): number[] {
  if (!lengths || value.shape.length !== 3) return Array.from(value.data);
  const [a, b, F] = value.shape as [number, number, number];
  const out: number[] = [];
  for (let i = 0; i < a; i++) {
    for (let j = 0; j < b; j++) {
      const [batch, time] = batchFirst ? [i, j] : [j, i];
      if (time < (lengths[batch] as number)) for (let f = 0; f < F; f++) out.push(value.data[(i * b + j) * F + f] as number);
    }
  }
  return out;
}

/** Asserts |actual − expected| <= 1e-5 + 1e-5·|expected| element-wise and returns the largest |diff|. */
export function expectWithin(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  const report = compareClose(actual, expected, { atol: 1e-5, rtol: 1e-5, label });
  if (report.failures > 0) {
    const w = report.worst;
    throw new Error(`${label}: ${report.failures} of ${report.length} values differ; worst at ${w?.index}: ${w?.actual} vs ${w?.expected} (|diff| ${w?.diff})`);
  }
  let max = 0;
  for (let i = 0; i < actual.length; i++) max = Math.max(max, Math.abs((actual[i] as number) - (expected[i] as number)));
  return max;
}

/** The largest difference per comparison kind, printed at the end when UNFOLD_ONNX_REPORT is set. */
export class MaxDiffs {
  private readonly worst = new Map<string, number>();
  record(kind: string, diff: number): void {
    this.worst.set(kind, Math.max(this.worst.get(kind) ?? 0, diff));
  }
  get(kind: string): number {
    return this.worst.get(kind) ?? 0;
  }
  report(title: string): void {
    if (process.env.UNFOLD_ONNX_REPORT) console.info(`[onnx import] ${title}: ${[...this.worst].map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ')}`);
  }
}
