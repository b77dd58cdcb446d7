import type { WeightMap } from '@unfold/core';
import { matVec, sigmoid } from '@unfold/testing';

/**
 * A float64 seq2seq, one sequence and one step at a time, written from the equations of
 * src/seq2seq/layer.ts and attention.ts (nothing shared with the code under test). Cells: `rnn` (tanh) and
 * `lstm` (ONNX gate order i, o, f, c), each with biases.
 */
export interface ReferenceSpec {
  readonly encoder: { readonly kind: 'rnn' | 'lstm'; readonly hidden: number };
  readonly decoder: readonly { readonly kind: 'rnn' | 'lstm'; readonly input: number; readonly hidden: number }[];
  readonly attention?: 'dot' | 'general' | 'additive';
  readonly attentionSize?: number;
  readonly bridge: 'projection' | 'copy' | 'zeros';
  readonly bridgeActivation?: 'tanh' | 'linear';
  readonly inputFeeding: boolean;
}

type Vector = Float64Array;

function weight(weights: WeightMap, name: string): Float64Array {
  const w = weights[name];
  if (!w) throw new Error(`reference: no weight ${name}`);
  return Float64Array.from(w.data);
}

function shapeOf(weights: WeightMap, name: string): readonly number[] {
  return weights[name]?.shape ?? [];
}

function add(...vectors: Vector[]): Vector {
  const out = new Float64Array(vectors[0]?.length ?? 0);
  for (const v of vectors) v.forEach((x, i) => (out[i] = (out[i] as number) + x));
  return out;
}

function slice(v: Vector, start: number, count: number): Vector {
  return v.slice(start, start + count);
}

function map(v: Vector, f: (x: number) => number): Vector {
  return v.map(f);
}

/** One cell step in float64: the new states ([h] or [h, c]). */
function cellStep(kind: 'rnn' | 'lstm', weights: WeightMap, prefix: string, x: Vector, state: Vector[]): Vector[] {
  const W = weight(weights, `${prefix}.W`);
  const R = weight(weights, `${prefix}.R`);
  const B = weight(weights, `${prefix}.B`);
  const [rows, inputs] = shapeOf(weights, `${prefix}.W`) as [number, number];
  const H = kind === 'rnn' ? rows : rows / 4;
  const pre = add(matVec(W, rows, inputs, x), matVec(R, rows, H, state[0] as Vector), slice(B, 0, rows), slice(B, rows, rows));
  if (kind === 'rnn') return [map(pre, Math.tanh)];
  const i = map(slice(pre, 0, H), sigmoid);
  const o = map(slice(pre, H, H), sigmoid);
  const f = map(slice(pre, 2 * H, H), sigmoid);
  const g = map(slice(pre, 3 * H, H), Math.tanh);
  const c = (state[1] as Vector).map((cPrev, j) => (f[j] as number) * cPrev + (i[j] as number) * (g[j] as number));
  return [c.map((cj, j) => (o[j] as number) * Math.tanh(cj)), c];
}

function zeros(n: number): Vector {
  return new Float64Array(n);
}

function row(table: Float64Array, index: number, width: number): Vector {
  return table.slice(index * width, (index + 1) * width);
}

function dot(a: Vector, b: Vector): number {
  let s = 0;
  a.forEach((x, i) => (s += x * (b[i] as number)));
  return s;
}

/** Scores of one query against every memory row (the equations of attention.ts). */
function scores(spec: ReferenceSpec, weights: WeightMap, query: Vector, memory: Vector[]): number[] {
  if (spec.attention === 'dot') return memory.map((m) => dot(query, m));
  if (spec.attention === 'general') {
    const W = weight(weights, 'attention.W');
    const [Q, E] = shapeOf(weights, 'attention.W') as [number, number];
    return memory.map((m) => dot(query, matVec(W, Q, E, m)));
  }
  const Wq = weight(weights, 'attention.Wq');
  const Wm = weight(weights, 'attention.Wm');
  const b = weight(weights, 'attention.b');
  const v = weight(weights, 'attention.v');
  const [A, Q] = shapeOf(weights, 'attention.Wq') as [number, number];
  const E = (shapeOf(weights, 'attention.Wm')[1] ?? 0) as number;
  const q = matVec(Wq, A, Q, query);
  return memory.map((m) => dot(v, map(add(q, matVec(Wm, A, E, m), b), Math.tanh)));
}

export interface ReferenceResult {
  /** [T][V] logits per target step (rows past the target length are zeros). */
  readonly logits: number[][];
  /** [T][S] attention weights (empty without attention). */
  readonly attention: number[][];
}

/**
 * One pair under teacher forcing: source ids (its real steps only, padded to `sourceSteps` with zeros),
 * decoder input ids; logits for every decoder input.
 */
export function referenceSeq2seq(spec: ReferenceSpec, weights: WeightMap, source: readonly number[], sourceSteps: number, inputs: readonly number[]): ReferenceResult {
  const Es = weight(weights, 'source.E');
  const Ds = shapeOf(weights, 'source.E')[1] as number;
  // Encoder over the real steps; outputs past the length are zeros.
  let encoderState: Vector[] = spec.encoder.kind === 'rnn' ? [zeros(spec.encoder.hidden)] : [zeros(spec.encoder.hidden), zeros(spec.encoder.hidden)];
  const memory: Vector[] = [];
  for (const id of source) {
    encoderState = cellStep(spec.encoder.kind, weights, 'encoder', row(Es, id, Ds), encoderState);
    memory.push(encoderState[0] as Vector);
  }
  while (memory.length < sourceSteps) memory.push(zeros(spec.encoder.hidden));
  // Bridge.
  const decoderSizes = spec.decoder.flatMap((cell) => (cell.kind === 'rnn' ? [cell.hidden] : [cell.hidden, cell.hidden]));
  let states: Vector[];
  if (spec.bridge === 'zeros') states = decoderSizes.map(zeros);
  else if (spec.bridge === 'copy') states = encoderState.map((s) => Float64Array.from(s));
  else {
    const joined = Float64Array.from(encoderState.flatMap((s) => Array.from(s)));
    const total = decoderSizes.reduce((a, b) => a + b, 0);
    const linear = add(matVec(weight(weights, 'bridgeW'), total, joined.length, joined), weight(weights, 'bridgeB'));
    const projected = spec.bridgeActivation === 'linear' ? linear : map(linear, Math.tanh);
    let offset = 0;
    states = decoderSizes.map((size) => {
      const part = slice(projected, offset, size);
      offset += size;
      return part;
    });
  }
  const Et = weight(weights, 'target.E');
  const Dt = shapeOf(weights, 'target.E')[1] as number;
  const A = spec.attention ? (spec.attentionSize ?? (spec.decoder.at(-1)?.hidden as number)) : 0;
  let feed = zeros(A);
  const logits: number[][] = [];
  const attention: number[][] = [];
  const Wo = weight(weights, 'output.W');
  const bo = weight(weights, 'output.b');
  const [V, R] = shapeOf(weights, 'output.W') as [number, number];
  for (const id of inputs) {
    let u: Vector = row(Et, id, Dt);
    if (spec.inputFeeding) u = Float64Array.from([...u, ...feed]);
    let offset = 0;
    const next: Vector[] = [];
    spec.decoder.forEach((cell, k) => {
      const count = cell.kind === 'rnn' ? 1 : 2;
      const out = cellStep(cell.kind, weights, `decoder.${k}`, u, states.slice(offset, offset + count));
      next.push(...out);
      offset += count;
      u = out[0] as Vector;
    });
    states = next;
    let readout = u;
    if (spec.attention) {
      // Padded source steps get weight 0; an empty source spreads it evenly over its (zero) outputs.
      const e = scores(spec, weights, u, memory).map((s, j) => (j < source.length ? s : -Infinity));
      const max = Math.max(...e);
      const w = source.length === 0 ? e.map(() => 1) : e.map((s) => (Number.isFinite(s) ? Math.exp(s - max) : 0));
      const total = w.reduce((a, b) => a + b, 0);
      const a = w.map((x) => x / total);
      attention.push(a);
      const E = spec.encoder.hidden;
      const context = zeros(E);
      memory.forEach((m, j) => m.forEach((x, i) => (context[i] = (context[i] as number) + (a[j] as number) * x)));
      const joined = Float64Array.from([...context, ...u]);
      readout = map(add(matVec(weight(weights, 'combineW'), A, joined.length, joined), weight(weights, 'combineB')), Math.tanh);
      feed = readout;
    }
    logits.push(Array.from(add(matVec(Wo, V, R, readout), bo)));
  }
  return { logits, attention };
}
