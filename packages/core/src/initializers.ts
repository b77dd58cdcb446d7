import type { Rng } from './rng';
import { shapeSize } from './host-tensor';

/**
 * An initialiser fills a parameter of the given shape from a generator. Each parameter gets its own
 * generator forked by its path, so initial weights depend only on (seed, path).
 */
export type Initializer = (shape: readonly number[], rng: Rng) => Float32Array;

export function zeros(): Initializer {
  return (shape) => new Float32Array(shapeSize(shape));
}

export function constant(value: number): Initializer {
  return (shape) => new Float32Array(shapeSize(shape)).fill(value);
}

/** U(low, high), e.g. PyTorch's recurrent default U(-1/√H, 1/√H). */
export function uniform(low: number, high: number): Initializer {
  return (shape, rng) => {
    const out = new Float32Array(shapeSize(shape));
    for (let i = 0; i < out.length; i++) out[i] = rng.uniformIn(low, high);
    return out;
  };
}

/** N(mean, std²). */
export function normal(std: number, mean = 0): Initializer {
  return (shape, rng) => {
    const out = new Float32Array(shapeSize(shape));
    for (let i = 0; i < out.length; i++) out[i] = mean + std * rng.normal();
    return out;
  };
}

/**
 * Glorot/Xavier uniform for a weight of shape [fanOut, fanIn] (ONNX/PyTorch layout, rows = outputs):
 * U(-√(6/(fanIn+fanOut)), +√(6/(fanIn+fanOut))).
 */
export function glorotUniform(): Initializer {
  return (shape, rng) => {
    const fanOut = shape[0] ?? 1;
    const fanIn = shape.length > 1 ? shapeSize(shape.slice(1)) : 1;
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    return uniform(-limit, limit)(shape, rng);
  };
}
