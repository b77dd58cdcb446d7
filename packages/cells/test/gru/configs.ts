/** Every combination of linearBeforeReset × bias, on a small GRU. */
export const gruConfigs = [true, false].flatMap((linearBeforeReset) => [true, false].map((bias) => ({ inputSize: 3, hiddenSize: 4, linearBeforeReset, bias })));
