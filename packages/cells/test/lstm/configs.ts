/** Every combination of bias × peepholes × inputForget × clip, on a small LSTM. */
export const lstmConfigs = [true, false].flatMap((bias) =>
  [false, true].flatMap((peepholes) =>
    [false, true].flatMap((inputForget) => [undefined, 0.6].map((clip) => ({ inputSize: 3, hiddenSize: 4, bias, peepholes, inputForget, ...(clip === undefined ? {} : { clip }) }))),
  ),
);
