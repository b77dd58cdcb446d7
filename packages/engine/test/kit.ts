import type { OnnxAttributeValue } from '@unfold/core';
import { createModelBuilder, serializeGraph } from '@unfold/onnx';
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { createChecked } from '../../onnx/test/ort';
import { InferenceSession, Tensor, type TensorType } from '../src/index';

/**
 * One-operator models built with the project's graph builder, run on the compact engine and (through the
 * onnx test kit's createChecked) on onnxruntime-node as well, so each case checks the engine against
 * hand-computed values and against onnxruntime within 1e-5.
 */
export interface Value {
  readonly type: TensorType;
  readonly dims: readonly number[];
  readonly data: readonly number[];
}

export const f32 = (dims: readonly number[], data: readonly number[]): Value => ({ type: 'float32', dims, data });
export const i64 = (dims: readonly number[], data: readonly number[]): Value => ({ type: 'int64', dims, data });
export const i32 = (dims: readonly number[], data: readonly number[]): Value => ({ type: 'int32', dims, data });
export const bool = (dims: readonly number[], data: readonly number[]): Value => ({ type: 'bool', dims, data });

export function tensorOf(value: Value): Tensor {
  return new Tensor(value.type, value.type === 'int64' ? value.data.map((v) => BigInt(v)) : value.data, value.dims);
}

/** A model of one node: inputs fed by name (x0, x1, …; null for an omitted optional input), outputs y0, y1, …. */
export function singleOp(opType: string, inputs: readonly (Value | null)[], attributes: Readonly<Record<string, OnnxAttributeValue>>, outputs: readonly TensorType[]): Uint8Array {
  const inputNames = inputs.map((_, i) => `x${i}`);
  const outputNames = outputs.map((_, i) => `y${i}`);
  const graph = createModelBuilder([...inputNames, ...outputNames]);
  const names = inputs.map((value, i) => (value ? graph.input(`x${i}`, { dtype: value.type, shape: value.dims.map((_, d) => `x${i}_${d}`) }) : ''));
  const made = graph.node(opType, names, attributes, { outputs: outputs.length });
  outputs.forEach((type, i) => graph.output(`y${i}`, made[i] as string, { dtype: type }));
  return serializeGraph(graph, { name: opType });
}

/** Runs one operator on both engines; returns the engine's outputs (checked against onnxruntime's). */
export async function runOp(opType: string, inputs: readonly (Value | null)[], attributes: Readonly<Record<string, OnnxAttributeValue>>, outputs: readonly TensorType[] = [inputs.find((v) => v)?.type ?? 'float32']): Promise<Tensor[]> {
  const bytes = singleOp(opType, inputs, attributes, outputs);
  const feeds = Object.fromEntries(inputs.flatMap((value, i) => (value ? [[`x${i}`, tensorOf(value)]] : [])));
  const reference = await createChecked(bytes);
  await reference.run(Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, new ort.Tensor(t.type, t.data, t.dims)])));
  await reference.release();
  const session = await InferenceSession.create(bytes);
  const results = await session.run(feeds);
  return outputs.map((_, i) => results[`y${i}`] as Tensor);
}

/** Expects `tensor` to be `value` (dims exactly; numbers within 1e-6). */
export function expectValue(tensor: Tensor | undefined, value: Value): void {
  expect(tensor?.type).toBe(value.type);
  expect(tensor?.dims).toEqual(value.dims);
  const got = Array.from(tensor?.data ?? [], Number);
  expect(got).toHaveLength(value.data.length);
  got.forEach((v, i) => expect(v).toBeCloseTo(value.data[i] as number, 6));
}
