import type { HostTensor, OnnxAttributeValue } from '@unfold/core';
import { createModelBuilder, serializeGraph, type OnnxModelBuilder } from '../../src/index';

/**
 * Small hand-built ONNX graphs for the import tests: one recurrent node with whatever attributes and glue
 * a test needs, written with the package's own graph builder (so the files are valid ONNX).
 */
export function floats(shape: readonly number[], seed: number): HostTensor {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 0.8 - 0.4;
  return { shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, next) };
}

export function int64s(values: readonly number[]): { dtype: 'int64'; shape: number[]; data: BigInt64Array } {
  return { dtype: 'int64', shape: [values.length], data: BigInt64Array.from(values, (v) => BigInt(v)) };
}

export interface RecurrentGraph {
  readonly graph: OnnxModelBuilder;
  /** Y, Y_h (and Y_c) of the node. */
  readonly outputs: readonly string[];
}

/**
 * x into one `op` node with hidden size H and the given attributes; the caller adds glue and graph
 * outputs, then calls `finish`. x is [time, batch, I], or [batch, time, I] with `batchFirst` (read
 * through a Transpose, or directly by a layout 1 node).
 */
export function recurrentGraph(op: 'RNN' | 'GRU' | 'LSTM', options: { I: number; H: number; D?: 1 | 2; attributes?: Record<string, OnnxAttributeValue>; outputs: readonly string[]; layout?: 0 | 1; batchFirst?: boolean; seed?: number }): RecurrentGraph {
  const { I, H } = options;
  const D = options.D ?? 1;
  const G = { RNN: 1, GRU: 3, LSTM: 4 }[op];
  const batchFirst = options.batchFirst ?? options.layout === 1;
  const graph = createModelBuilder(['x', ...options.outputs]);
  const x = graph.input('x', { dtype: 'float32', shape: batchFirst ? ['batch', 'time', I] : ['time', 'batch', I] });
  const X = batchFirst && options.layout !== 1 ? (graph.node('Transpose', [x], { perm: [1, 0, 2] }, { stem: 'time_major' })[0] as string) : x;
  const seed = options.seed ?? 1;
  const W = graph.constant('W', floats([D, G * H, I], seed));
  const R = graph.constant('R', floats([D, G * H, H], seed + 1));
  const B = graph.constant('B', floats([D, 2 * G * H], seed + 2));
  const attributes = { hidden_size: H, direction: D === 2 ? 'bidirectional' : 'forward', ...(options.layout === 1 ? { layout: 1 } : {}), ...options.attributes };
  const outputs = graph.node(op, [X, W, R, B], attributes, { outputs: op === 'LSTM' ? 3 : 2, stem: op.toLowerCase() });
  return { graph, outputs };
}

export function finish(graph: OnnxModelBuilder, name = 'test'): Uint8Array {
  return serializeGraph(graph, { name });
}

/** Glue only: ConstantOfShape of a constant shape `dims` as the graph output (a 104-byte hostile file for huge dims). */
export function constantOfShapeGraph(dims: readonly number[]): Uint8Array {
  const graph = createModelBuilder(['y']);
  const [y] = graph.node('ConstantOfShape', [graph.constant('shape', int64s(dims))], {}, { stem: 'fill' }) as [string];
  graph.output('y', y, { dtype: 'float32' });
  return finish(graph);
}

/** Glue only: Range(start, limit, delta) of int64 scalars as the graph output. */
export function rangeGraph(start: number, limit: number, delta: number): Uint8Array {
  const graph = createModelBuilder(['y']);
  const scalar = (name: string, value: number) => graph.constant(name, { dtype: 'int64', shape: [], data: BigInt64Array.from([BigInt(value)]) });
  const [y] = graph.node('Range', [scalar('start', start), scalar('limit', limit), scalar('delta', delta)], {}, { stem: 'range' }) as [string];
  graph.output('y', y, { dtype: 'int64' });
  return finish(graph);
}
