import { createRegistry, setupBackend, type ModelSpec } from '@unfold/core';
import { heads, layers } from '@unfold/architectures';
import { esnCell } from '@unfold/cells';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, fitReadout, freeRun, mackeyGlass, narma10, nrmse, predict } from '../../src/index';

beforeAll(() => setupBackend());

const registry = createRegistry([esnCell, ...layers, ...heads]);

function esnSpec(config: Record<string, number>, inputSize = 1): ModelSpec {
  const hiddenSize = config.hiddenSize as number;
  return { kind: 'sequence-model', children: { body: { kind: 'esn', config: { inputSize, ...config } }, output: { kind: 'dense', config: { inputSize: hiddenSize, outputSize: 1 } } } };
}

const column = (values: ArrayLike<number>) => Array.from(values, (v) => [v]);

describe('echo state network (closed-form ridge readout)', () => {
  it('forecasts Mackey-Glass one step ahead with NRMSE < 1e-2 on held-out data, and free-runs', () => {
    const series = Array.from(mackeyGlass({ length: 3101 }), (v) => v - 1);
    const trainEnd = 2000;
    const model = createModel(registry, esnSpec({ hiddenSize: 300, spectralRadius: 1.1, leakRate: 0.5, inputScaling: 1, biasScaling: 0.2 }), { seed: 4 });
    fitReadout(model, { x: [column(series.slice(0, trainEnd))], y: [column(series.slice(1, trainEnd + 1))] }, { washout: 100, ridge: 1e-7 });
    const outputs = predict(model, [column(series.slice(0, 3100))])[0]!.map((r) => r[0]!);
    const heldOut = nrmse(outputs.slice(trainEnd), series.slice(trainEnd + 1, 3101));
    console.log(`ESN Mackey-Glass one-step NRMSE (held-out 1100 steps): ${heldOut.toExponential(3)}`);
    expect(heldOut).toBeLessThan(1e-2);
    const generated = freeRun(model, column(series.slice(0, trainEnd)), 100).map((r) => r[0]!);
    const freeRunError = nrmse(generated, series.slice(trainEnd, trainEnd + 100));
    console.log(`ESN Mackey-Glass free-running NRMSE over the first 100 steps: ${freeRunError.toExponential(3)}`);
    expect(Number.isFinite(freeRunError)).toBe(true);
    model.dispose();
  });

  it('learns NARMA-10 with NRMSE < 0.4', () => {
    const { u, y } = narma10({ length: 6001, seed: 5 });
    const model = createModel(registry, esnSpec({ hiddenSize: 200, spectralRadius: 0.9, leakRate: 1, inputScaling: 0.5, biasScaling: 0.1 }), { seed: 6 });
    fitReadout(model, { x: [column(u.subarray(0, 4000))], y: [column(y.subarray(0, 4000))] }, { washout: 200, ridge: 1e-8 });
    const outputs = predict(model, [column(u)])[0]!.map((r) => r[0]!);
    const error = nrmse(outputs.slice(4200), Array.from(y.subarray(4200)));
    console.log(`ESN NARMA-10 NRMSE (held-out 1800 steps): ${error.toFixed(3)}`);
    expect(error).toBeLessThan(0.4);
    model.dispose();
  });
});
