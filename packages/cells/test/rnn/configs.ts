/** Every combination of activation × bias, on a small Elman RNN. */
export const rnnConfigs = (['tanh', 'relu'] as const).flatMap((activation) => [true, false].map((bias) => ({ inputSize: 3, hiddenSize: 4, activation, bias })));
