import { field } from '@unfold/core';

/** The options every cell of this package shares: sizes and the ONNX bias pair. */
export const recurrentFields = {
  inputSize: field.int({ doc: 'input features I', min: 1 }),
  hiddenSize: field.int({ doc: 'hidden units H (= output size)', min: 1 }),
  bias: field.boolean({ doc: 'learn the biases B = [Wb; Rb]', default: true }),
};
