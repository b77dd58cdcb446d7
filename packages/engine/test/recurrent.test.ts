import { kernelBuild, useKernels } from '@unfold/cells/kernels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InferenceSession, Tensor } from '../src/index';
import { ACTIVATIONS } from '../src/ops/recurrent/activations';
import { lstmOnKernels } from '../src/ops/recurrent/kernel-path';
import type { LstmDirection } from '../src/ops/recurrent/lstm';
import { expectValue, f32, i32, runOp, singleOp, type Value } from './kit';

/**
 * LSTM, GRU and RNN against onnxruntime-node (within 1e-5, through runOp) over every option the engine
 * implements: forward, reverse and bidirectional, sequence_lens with a 0 and a full length, initial
 * states, peepholes, clip, input_forget, linear_before_reset, Relu for RNN, batch 0 and length 0; and
 * two cases against values computed here by hand from the ONNX equations.
 */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

const random = (rand: () => number, dims: readonly number[], scale = 1) => f32(dims, Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rand() * scale));

interface Setup {
  readonly op: 'LSTM' | 'GRU' | 'RNN';
  readonly direction: 'forward' | 'reverse' | 'bidirectional';
  readonly steps: number;
  readonly batch: number;
  readonly lengths?: readonly number[];
  readonly initial?: boolean;
  readonly peepholes?: boolean;
  readonly attributes?: Readonly<Record<string, number | string | readonly string[] | { float: number }>>;
  /** Input and hidden sizes (default 3 and 4). */
  readonly sizes?: readonly [number, number];
}

const GATES = { LSTM: 4, GRU: 3, RNN: 1 } as const;

async function check(setup: Setup): Promise<void> {
  const rand = seeded(setup.steps * 31 + setup.batch * 7 + setup.direction.length);
  const [I, H] = setup.sizes ?? [3, 4];
  const D = setup.direction === 'bidirectional' ? 2 : 1;
  const G = GATES[setup.op] * H;
  const inputs: (Value | null)[] = [
    random(rand, [setup.steps, setup.batch, I], 2),
    random(rand, [D, G, I]),
    random(rand, [D, G, H]),
    random(rand, [D, 2 * G]),
    setup.lengths ? i32([setup.batch], setup.lengths) : null,
    setup.initial ? random(rand, [D, setup.batch, H]) : null,
  ];
  if (setup.op === 'LSTM') inputs.push(setup.initial ? random(rand, [D, setup.batch, H]) : null, setup.peepholes ? random(rand, [D, 3 * H]) : null);
  while (inputs[inputs.length - 1] === null) inputs.pop();
  const outputs = setup.op === 'LSTM' ? 3 : 2;
  const results = await runOp(setup.op, inputs, { hidden_size: H, direction: setup.direction, ...setup.attributes }, new Array(outputs).fill('float32'));
  expect(results[0]?.dims).toEqual([setup.steps, D, setup.batch, H]);
  // Past a sequence's length its Y is 0 (onnxruntime's rule, checked here besides the parity).
  setup.lengths?.forEach((length, b) => {
    for (let t = length; t < setup.steps; t++) for (let d = 0; d < D; d++) for (let j = 0; j < H; j++) expect(results[0]?.data[((t * D + d) * setup.batch + b) * H + j]).toBe(0);
  });
}

/** Every case on both paths: the WebAssembly kernels (kernel-path.ts) where they apply, and the plain loops. */
for (const mode of ['auto', 'off'] as const) {
  describe(`recurrent operators against onnxruntime-node (${mode === 'auto' ? 'WebAssembly kernels' : 'plain loops'})`, () => {
    beforeAll(() => useKernels(mode));
    afterAll(() => useKernels('auto'));

    it('runs the path it names', () => {
      expect(kernelBuild() === 'none').toBe(mode === 'off');
      const direction: LstmDirection = { x: new Float32Array(2), steps: 2, batch: 1, inputSize: 1, hidden: 1, w: new Float32Array(4), r: new Float32Array(4), fixedWeights: false, bias: undefined, peepholes: undefined, lengths: [2], h0: new Float32Array(1), c0: new Float32Array(1), clip: Infinity, inputForget: false, reverse: false, activations: [ACTIVATIONS.Sigmoid, ACTIVATIONS.Tanh, ACTIVATIONS.Tanh] as never, y: undefined, yOffset: 0, yStride: 1 };
      expect(lstmOnKernels(direction) !== undefined).toBe(mode === 'auto');
    });

    for (const op of ['LSTM', 'GRU', 'RNN'] as const) {
      it(`${op} bidirectional, 40 steps, batch 9, I 13, H 37 (every tile and tail of the kernels), with lengths`, () => check({ op, direction: 'bidirectional', steps: 40, batch: 9, lengths: [40, 0, 17, 1, 40, 39, 2, 40, 20], initial: true, sizes: [13, 37] }));
    }
    for (const op of ['LSTM', 'GRU', 'RNN'] as const) {
      for (const direction of ['forward', 'reverse', 'bidirectional'] as const) {
        it(`${op} ${direction}, initial states, lengths [4, 0, 2]`, () => check({ op, direction, steps: 4, batch: 3, lengths: [4, 0, 2], initial: true }));
        it(`${op} ${direction}, no optional inputs`, () => check({ op, direction, steps: 3, batch: 2 }));
      }
      it(`${op} with clip 0.5`, () => check({ op, direction: 'bidirectional', steps: 3, batch: 2, lengths: [3, 1], initial: true, attributes: { clip: { float: 0.5 } } }));
    }
    it('LSTM with peepholes and input_forget', () => check({ op: 'LSTM', direction: 'bidirectional', steps: 4, batch: 2, lengths: [2, 4], initial: true, peepholes: true, attributes: { input_forget: 1 } }));
    it('LSTM with peepholes and clip', () => check({ op: 'LSTM', direction: 'reverse', steps: 4, batch: 2, initial: true, peepholes: true, attributes: { clip: { float: 0.7 } } }));
    it('GRU with linear_before_reset', () => check({ op: 'GRU', direction: 'bidirectional', steps: 3, batch: 2, lengths: [1, 3], initial: true, attributes: { linear_before_reset: 1 } }));
    it('RNN with Relu', () => check({ op: 'RNN', direction: 'forward', steps: 3, batch: 2, initial: true, attributes: { activations: ['Relu'] } }));
    it('RNN bidirectional with Relu and Tanh', () => check({ op: 'RNN', direction: 'bidirectional', steps: 3, batch: 2, attributes: { activations: ['Relu', 'Tanh'] } }));
  });
}

/** Batch 0 and length 0: onnxruntime-node 1.30's recurrent kernels end the process on these, so the engine alone, by shape. */
describe('recurrent operators on batch 0 and length 0 (the engine alone)', () => {
  for (const op of ['LSTM', 'GRU', 'RNN'] as const) {
    for (const [steps, batch] of [[3, 0], [0, 2]] as const) {
      it(`${op}: T = ${steps}, B = ${batch}`, async () => {
        const G = GATES[op] * 2;
        const bytes = singleOp(op, [f32([steps, batch, 1], new Array(steps * batch).fill(1)), f32([2, G, 1], new Array(2 * G).fill(0.5)), f32([2, G, 2], new Array(4 * G).fill(0.5)), null, null, f32([2, batch, 2], new Array(4 * batch).fill(1))], { hidden_size: 2, direction: 'bidirectional' }, ['float32', 'float32']);
        const session = await InferenceSession.create(bytes);
        const { y0, y1 } = await session.run({ x0: new Tensor('float32', new Float32Array(steps * batch).fill(1), [steps, batch, 1]), x1: new Tensor('float32', new Float32Array(2 * G).fill(0.5), [2, G, 1]), x2: new Tensor('float32', new Float32Array(4 * G).fill(0.5), [2, G, 2]), x5: new Tensor('float32', new Float32Array(4 * batch).fill(1), [2, batch, 2]) });
        expectValue(y0, f32([steps, 2, batch, 2], []));
        // No step runs: the final state is 0 (a sequence of length 0), not the initial one.
        expectValue(y1, f32([2, batch, 2], new Array(4 * batch).fill(0)));
      });
    }
  }
});

describe('recurrent operators on hand-computed values', () => {
  it('RNN, one unit, two steps: h = tanh(w·x + r·h + wb + rb)', async () => {
    const [y, yh] = await runOp('RNN', [f32([2, 1, 1], [1, -1]), f32([1, 1, 1], [0.5]), f32([1, 1, 1], [2]), f32([1, 2], [0.1, 0.2])], { hidden_size: 1 }, ['float32', 'float32']);
    const h1 = Math.tanh(0.5 + 0.3);
    const h2 = Math.tanh(-0.5 + 2 * h1 + 0.3);
    expectValue(y, f32([2, 1, 1, 1], [h1, h2]));
    expectValue(yh, f32([1, 1, 1], [h2]));
  });

  it('LSTM, one unit, one step, with peepholes: gates i, o, f, c as ONNX orders them', async () => {
    const σ = (x: number) => 1 / (1 + Math.exp(-x));
    // W = [wi, wo, wf, wc], R = 0, no bias, P = [pi, po, pf], c0 = 0.5, h0 = 0, x = 1.
    const [wi, wo, wf, wc] = [0.1, 0.2, 0.3, 0.4];
    const [pi, po, pf] = [0.5, -0.5, 1];
    const c0 = 0.5;
    const i = σ(wi + pi * c0);
    const f = σ(wf + pf * c0);
    const c = f * c0 + i * Math.tanh(wc);
    const o = σ(wo + po * c);
    const h = o * Math.tanh(c);
    const zeros = f32([1, 4, 1], [0, 0, 0, 0]);
    const [, yh, yc] = await runOp('LSTM', [f32([1, 1, 1], [1]), f32([1, 4, 1], [wi, wo, wf, wc]), zeros, null, null, f32([1, 1, 1], [0]), f32([1, 1, 1], [c0]), f32([1, 3], [pi, po, pf])], { hidden_size: 1 }, ['float32', 'float32', 'float32']);
    expectValue(yh, f32([1, 1, 1], [h]));
    expectValue(yc, f32([1, 1, 1], [c]));
  });
});
