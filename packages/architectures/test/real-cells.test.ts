import { setupBackend, type ModelSpec } from '@unfold/core';
import { cells } from '@unfold/cells/all';
import { expectClose } from '@unfold/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, gradients, run } from './helpers';

beforeAll(() => setupBackend());

// The layer properties proved with the fake cell, again with real cells and their fused paths.
const stack: ModelSpec = {
  kind: 'stacked',
  children: { layers: [{ kind: 'lstm', config: { inputSize: 3, hiddenSize: 5, peepholes: true } }, { kind: 'gru', config: { inputSize: 5, hiddenSize: 4 } }, { kind: 'leaky', config: { inputSize: 4, hiddenSize: 3 } }] },
};

function sequence(batch: number, time: number, seed: number): number[][][] {
  let s = seed;
  const r = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  return Array.from({ length: batch }, () => Array.from({ length: time }, () => [r(), r(), r()]));
}

describe('layers with real cells (LSTM → GRU → leaky stack)', () => {
  it('running in chunks with the state carried equals one call', () => {
    const model = build(stack, cells, 5);
    const x = sequence(3, 9, 1);
    const lengths = [9, 6, 2];
    const whole = run(model.bound, x, lengths);
    const cut = [4, 3, 2];
    let state: number[][][] | undefined;
    let offset = 0;
    const pieces: number[][][][] = [];
    for (const size of cut) {
      const chunk = x.map((s) => s.slice(offset, offset + size));
      const chunkLengths = lengths.map((l) => Math.max(0, Math.min(size, l - offset)));
      const result = run(model.bound, chunk, chunkLengths, state);
      pieces.push(result.outputs);
      state = result.finalState;
      offset += size;
    }
    const joined = x.map((_, b) => pieces.flatMap((piece) => piece[b] as number[][]));
    expectClose(joined.flat(2), whole.outputs.flat(2), { label: 'chunked outputs' });
    expectClose((state as number[][][]).flat(2), whole.finalState.flat(2), { label: 'chunked final state' });
    model.dispose();
  });

  it('padding changes neither outputs at real steps, final states, nor gradients', () => {
    const model = build(stack, cells, 6);
    const real = sequence(1, 5, 2);
    const padded = [[...(real[0] as number[][]), [9, -9, 9], [100, 3, -2]]];
    const a = run(model.bound, real);
    const b = run(model.bound, padded, [5]);
    expectClose(b.outputs[0]!.slice(0, 5).flat(), a.outputs[0]!.flat(), { label: 'outputs at real steps' });
    expect(b.outputs[0]!.slice(5).flat().every((v) => v === 0)).toBe(true);
    expectClose(b.finalState.flat(2), a.finalState.flat(2), { label: 'final state' });
    const ga = gradients(model.bound, model.tensors, real);
    const gb = gradients(model.bound, model.tensors, padded, [5]);
    for (const name of Object.keys(ga)) expectClose(gb[name]!, ga[name]!, { label: `gradient ${name}`, atol: 1e-5, rtol: 1e-4 });
    model.dispose();
  });

  it('the fused path and the step loop agree inside a stack', () => {
    const spec = (fused: boolean): ModelSpec => ({ kind: 'stacked', children: { layers: [{ kind: 'bidirectional', children: { forward: { kind: 'lstm', config: { inputSize: 3, hiddenSize: 4 } }, backward: { kind: 'lstm', config: { inputSize: 3, hiddenSize: 4 } } } }, { kind: 'recurrent', config: { fused }, children: { cell: { kind: 'gru', config: { inputSize: 8, hiddenSize: 2 } } } }] } });
    const fused = build(spec(true), cells, 7);
    const loop = build(spec(false), cells, 7);
    const x = sequence(2, 6, 3);
    expectClose(run(loop.bound, x, [6, 3]).outputs.flat(2), run(fused.bound, x, [6, 3]).outputs.flat(2), { label: 'outputs' });
    fused.dispose();
    loop.dispose();
  });
});
