import { uniform, type Initializer } from '@unfold/core';

/**
 * PyTorch's default for every recurrent weight and bias: U(−1/√H, 1/√H), H the hidden size
 * (torch.nn.RNNBase.reset_parameters).
 */
export function recurrentUniform(hiddenSize: number): Initializer {
  const bound = 1 / Math.sqrt(hiddenSize);
  return uniform(-bound, bound);
}

/**
 * `recurrentUniform`, then `value` added to the rows [start, start + length) of a flat parameter: the
 * LSTM forget-gate bias trick (Gers et al. 2000; Jozefowicz et al. 2015) applied to the Wb forget slice.
 */
export function recurrentUniformPlus(hiddenSize: number, start: number, length: number, value: number): Initializer {
  const base = recurrentUniform(hiddenSize);
  return (shape, rng) => {
    const data = base(shape, rng);
    for (let k = start; k < start + length; k++) data[k] = (data[k] as number) + value;
    return data;
  };
}
