/**
 * Input checks shared by the cells' `step` and `sequence`. Shapes, ranks, dtypes and the state count
 * are checked on every call (metadata only, no data is read). Values are checked only in `sequence`:
 * its fused path reads x and the mask into host memory once anyway (to build per-step tensors), so
 * rejecting NaN/±Infinity in x and the initial state and a mask that is not 0/1 costs one pass over
 * data already read. `step` reads no data: an architecture calls it T times per sequence, and a
 * per-step read would force a backend sync each time. Weights are not re-checked here (`checkWeights`
 * does that when a model is loaded).
 */
import type { Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import { ConfigError, DataError, formatShape, sameShape, ShapeError, type ParamSpec, type ParamTensors } from '@unfold/core';

/** A [B, size] state: every cell of this package declares its states so. */
export interface VectorState {
  readonly name: string;
  readonly size: number;
}

/** What a cell declares about its inputs, for messages. */
export interface CellShape {
  readonly inputSize: number;
  readonly states: readonly VectorState[];
}

function describeStates(states: readonly VectorState[]): string {
  return states.map((s) => `${s.name} [B, ${s.size}]`).join(', ');
}

function requireFloat(where: string, what: string, tensor: Tensor): void {
  if (tensor.dtype !== 'float32') {
    throw new DataError(`${what} has dtype ${tensor.dtype}`, { where, expected: 'a float32 tensor', got: tensor.dtype, fix: `convert it with tf.cast(${what}, 'float32')` });
  }
}

/** Every declared parameter is bound, float32 and of its declared shape. */
export function checkParams(where: string, specs: readonly ParamSpec[], params: ParamTensors): void {
  for (const spec of specs) {
    const tensor = params[spec.name];
    if (!tensor) {
      throw new ConfigError(`parameter ${JSON.stringify(spec.name)} is missing`, { where, expected: `params with ${specs.map((s) => `${s.name} ${formatShape(s.shape)}`).join(', ')}`, got: `params with ${Object.keys(params).join(', ') || 'nothing'}`, fix: 'pass the tensors named by parameters(config); a config change (bias, peepholes) changes that list' });
    }
    if (!sameShape(tensor.shape, spec.shape)) {
      throw new ShapeError(`parameter ${spec.name} has the wrong shape`, { where, expected: formatShape(spec.shape), got: formatShape(tensor.shape), fix: 'the weights belong to a different config (inputSize, hiddenSize) or layout; weights are in ONNX layout without the num_directions axis' });
    }
    requireFloat(where, `parameter ${spec.name}`, tensor);
  }
}

function checkStates(where: string, cell: CellShape, state: readonly Tensor[], B: number): void {
  if (state.length !== cell.states.length) {
    throw new ShapeError(`got ${state.length} state tensor(s)`, { where, expected: `${cell.states.length}: ${describeStates(cell.states)}`, got: `${state.length}`, fix: 'pass the states in the order state(config) lists them (zeros for a fresh sequence)' });
  }
  cell.states.forEach((spec, k) => {
    const tensor = state[k] as Tensor;
    if (!sameShape(tensor.shape, [B, spec.size])) {
      throw new ShapeError(`state ${spec.name} has the wrong shape`, { where, expected: `[B, ${spec.size}] = ${formatShape([B, spec.size])} (B from the input)`, got: formatShape(tensor.shape), fix: 'give each state one row per sequence in the batch and the cell’s state size' });
    }
    requireFloat(where, `state ${spec.name}`, tensor);
  });
}

/** x [B, I] and the states [B, size] of one `step`. */
export function checkStepInputs(where: string, cell: CellShape, x: Tensor2D, state: readonly Tensor[]): void {
  if (x.rank !== 2 || x.shape[1] !== cell.inputSize) {
    throw new ShapeError('step input has the wrong shape', { where, expected: `[B, ${cell.inputSize}] (batch, inputSize)`, got: formatShape(x.shape), fix: x.rank === 3 ? 'step takes one time step; use sequence() for [T, B, I]' : 'pass one row of inputSize features per sequence' });
  }
  requireFloat(where, 'x', x);
  checkStates(where, cell, state, x.shape[0]);
}

/** x [T, B, I], the states [B, size] and the optional mask [T, B] of one `sequence` call. */
export function checkSequenceInputs(where: string, cell: CellShape, x: Tensor3D, state: readonly Tensor[], mask: Tensor2D | undefined): void {
  if (x.rank !== 3 || x.shape[2] !== cell.inputSize) {
    throw new ShapeError('sequence input has the wrong shape', { where, expected: `[T, B, ${cell.inputSize}] (time-major: time, batch, inputSize)`, got: formatShape(x.shape), fix: x.rank === 2 ? 'add the time axis, or call step() for a single step' : 'transpose batch-major [B, T, I] data to [T, B, I] (tf.transpose(x, [1, 0, 2]))' });
  }
  requireFloat(where, 'x', x);
  const [T, B] = x.shape;
  checkStates(where, cell, state, B);
  if (mask && !sameShape(mask.shape, [T, B])) {
    throw new ShapeError('mask has the wrong shape', { where, expected: `[T, B] = ${formatShape([T, B])}`, got: formatShape(mask.shape), fix: 'give one 1 (real step) or 0 (padding) per time step and sequence' });
  }
}

/** Throws a DataError naming the first NaN or ±Infinity in `data`. */
export function checkFinite(where: string, what: string, shape: readonly number[], data: ArrayLike<number>): void {
  for (let k = 0; k < data.length; k++) {
    const value = data[k] as number;
    if (!Number.isFinite(value)) {
      throw new DataError(`${what} holds a non-finite value`, { where, expected: 'finite values', got: `${value} at flat index ${k} of ${formatShape(shape)}`, fix: 'clean or impute the data before it reaches the model (NaN propagates through every later step)' });
    }
  }
}

/** Throws a DataError naming the first mask value that is neither 0 nor 1. */
export function checkMaskValues(where: string, shape: readonly number[], data: ArrayLike<number>): void {
  for (let k = 0; k < data.length; k++) {
    const value = data[k] as number;
    if (value !== 0 && value !== 1) {
      throw new DataError('mask holds a value other than 0 or 1', { where, expected: '1 at real steps and 0 at padding', got: `${value} at flat index ${k} of ${formatShape(shape)}`, fix: 'build the mask from sequence lengths (t < length ? 1 : 0)' });
    }
  }
}
