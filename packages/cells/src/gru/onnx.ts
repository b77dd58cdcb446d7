import type { CellOnnxMapping } from '@unfold/core';
import { emitNativeRecurrence } from '../shared/onnx';
import type { GruConfig } from './gru';

/**
 * `gru` → ONNX GRU: activations [Sigmoid, Tanh], linear_before_reset = 1 when linearBeforeReset (the
 * default, PyTorch's form) and 0 otherwise; W, R, B copied as they are (ONNX layout and gate order).
 */
export const gruOnnx: CellOnnxMapping<GruConfig> = (context) =>
  emitNativeRecurrence(context, {
    op: 'GRU',
    hiddenSize: context.config.hiddenSize,
    activations: ['Sigmoid', 'Tanh'],
    attributes: { linear_before_reset: context.config.linearBeforeReset ? 1 : 0 },
  });
