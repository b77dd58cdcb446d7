import * as tf from '@tensorflow/tfjs-core';
import { createRegistry, resolveModel, setupBackend, type ModelSpec } from '@unfold/core';
import { fakeCell, unfoldErrorOf } from '@unfold/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { layers, runSequence } from '../src/index';
import { build, fake } from './helpers';

beforeAll(() => setupBackend());


describe('bad input gets a typed error saying expected vs got', () => {
  let model: ReturnType<typeof build>;
  beforeAll(() => {
    model = build({ kind: 'recurrent', children: { cell: fake(2, 3) } });
  });
  const call = (x: tf.Tensor, extra: Record<string, unknown> = {}) => () => tf.tidy(() => runSequence(model.bound, { x: x as tf.Tensor3D, ...extra }).outputs);

  it.each([
    ['rank 2 input', () => call(tf.zeros([4, 2])), 'E_SHAPE', 'expected [batch, time, 2] (batch-major, 2 features); got [4, 2]. Fix: add a batch axis'],
    ['wrong feature size', () => call(tf.zeros([1, 4, 5])), 'E_SHAPE', 'got [1, 4, 5]'],
    ['int input', () => call(tf.zeros([1, 4, 2], 'int32')), 'E_SHAPE', 'expected float32; got int32'],
    ['NaN input', () => call(tf.tensor3d([[[1, Number.NaN]]])), 'E_DATA', 'input holds NaN or Infinity'],
    ['Infinity in a state', () => call(tf.zeros([1, 1, 2]), { initialState: [tf.fill([1, 3], Infinity), tf.zeros([1, 1])] }), 'E_DATA', 'initial state "cell.h" holds NaN or Infinity'],
    ['too few states', () => call(tf.zeros([1, 1, 2]), { initialState: [tf.zeros([1, 3])] }), 'E_SHAPE', 'expected 2 (cell.h, cell.count); got 1'],
    ['misshapen state', () => call(tf.zeros([2, 1, 2]), { initialState: [tf.zeros([1, 3]), tf.zeros([2, 1])] }), 'E_SHAPE', 'initial state "cell.h" has the wrong shape; expected [2, 3]; got [1, 3]'],
    ['lengths of another batch', () => call(tf.zeros([2, 3, 2]), { lengths: Int32Array.from([1]) }), 'E_SHAPE', 'expected 2 lengths; got 1'],
    ['length beyond T', () => call(tf.zeros([1, 3, 2]), { lengths: Int32Array.from([4]) }), 'E_DATA', 'lengths[0]: sequence length out of range; expected 0 <= length <= 3; got 4'],
  ])('%s', (_name, make, code, text) => {
    const error = unfoldErrorOf(make());
    expect(error.code).toBe(code);
    expect(error.message).toContain(text);
  });
});

describe('invalid configs', () => {
  const registry = createRegistry([fakeCell, ...layers]);
  it.each([
    ['unknown merge mode', { kind: 'bidirectional', config: { merge: 'max' }, children: { forward: fake(1, 1), backward: fake(1, 1) } }, 'invalid option "merge"', 'expected one of "concat", "sum", "mean", "product", "none"; got "max"'],
    ['zero layers', { kind: 'stacked', children: { layers: [] } }, 'a stack needs at least one layer', 'got 0 layers'],
    ['hidden size 0', { kind: 'recurrent', children: { cell: fake(1, 0) } }, 'cell (fake-accumulator): invalid option "hiddenSize"', 'got 0'],
    ['mismatched stack sizes', { kind: 'stacked', children: { layers: [fake(2, 3), fake(2, 1)] } }, 'layers.1: input size does not match', 'expected inputSize 3 (the output size of layers.0); got inputSize 2. Fix: set inputSize: 3'],
    ['sum of unequal directions', { kind: 'bidirectional', config: { merge: 'sum' }, children: { forward: fake(1, 2), backward: fake(1, 3) } }, 'merge "sum" needs equal output sizes', 'got 3'],
    ['residual that changes size', { kind: 'stacked', config: { residual: true }, children: { layers: [fake(1, 2), fake(2, 3)] } }, 'a residual layer must keep its size', 'layers.1'],
    ['a layer where a cell belongs', { kind: 'recurrent', children: { cell: { kind: 'recurrent', children: { cell: fake(1, 1) } } } }, 'wrong family', 'got layer "recurrent"'],
  ] as [string, ModelSpec, string, string][])('%s', (_name, spec, summary, detail) => {
    const error = unfoldErrorOf(() => resolveModel(registry, spec));
    expect(error.code).toBe('E_CONFIG');
    expect(error.message).toContain(summary);
    expect(error.message).toContain(detail);
  });
});
