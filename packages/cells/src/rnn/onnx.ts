import type { CellOnnxMapping } from '@unfold/core';
import { emitNativeRecurrence } from '../shared/onnx';
import type { RnnConfig } from './rnn';

/** `rnn` → ONNX RNN: activations [Tanh] or [Relu]; W, R, B copied (see shared/onnx.ts). */
export const rnnOnnx: CellOnnxMapping<RnnConfig> = (context) =>
  emitNativeRecurrence(context, { op: 'RNN', hiddenSize: context.config.hiddenSize, activations: [context.config.activation === 'relu' ? 'Relu' : 'Tanh'] });
