import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D } from '@tensorflow/tfjs-core';
import type { ParamTensors } from '@unfold/core';

/**
 * Where the LSTM's gates and peepholes live in its ONNX-layout weights (see lstm.ts): gate g is the row
 * block g of W, R and of each half of B, in ONNX order i, o, f, c; P is [Pi, Po, Pf].
 */
export const LSTM_GATES = { i: 0, o: 1, f: 2, c: 3 } as const;

/** Pi, Po, Pf [H] each, split from P [3H]; empty without peepholes. */
export interface Peepholes {
  readonly Pi?: Tensor1D;
  readonly Po?: Tensor1D;
  readonly Pf?: Tensor1D;
}

export function peepholes(params: ParamTensors): Peepholes {
  if (!params.P) return {};
  const [Pi, Po, Pf] = tf.split<Tensor1D>(params.P as Tensor1D, 3);
  return { Pi, Po, Pf };
}
