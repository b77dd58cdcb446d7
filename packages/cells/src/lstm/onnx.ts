import type { CellOnnxMapping } from '@unfold/core';
import { emitNativeRecurrence } from '../shared/onnx';
import type { LstmConfig } from './lstm';

/**
 * `lstm` → ONNX LSTM: activations [Sigmoid, Tanh, Tanh], input_forget, clip when set; W, R, B and P
 * (with peepholes) copied as they are, since the cell stores ONNX's layout and gate order.
 */
export const lstmOnnx: CellOnnxMapping<LstmConfig> = (context) =>
  emitNativeRecurrence(context, {
    op: 'LSTM',
    hiddenSize: context.config.hiddenSize,
    activations: ['Sigmoid', 'Tanh', 'Tanh'],
    attributes: {
      input_forget: context.config.inputForget ? 1 : 0,
      ...(context.config.clip === undefined ? {} : { clip: { float: context.config.clip } }),
    },
  });
