import { inputSpecOf, stateOf } from '@unfold/architectures';
import { Rng } from '@unfold/core';
import { expectClose, maxAbsDiff } from '@unfold/testing';
import { FULL_LENGTH, readOnnxModel, readUnfoldMetadata } from '../src/index';
import { onnxForward, randomFloats, randomTokens, unfoldForward, type ExportedModel, type RunResult } from './harness';
import type { HostValue } from './ort';

/**
 * The acceptance checks of an exported model: onnxruntime against unfold's forward pass at several
 * lengths and batch sizes, with full and variable lengths and initial states, and chunked streaming
 * through state_out → state_in against one call. Tolerance |a − b| <= 1e-5 + 1e-5·|b| (b = unfold).
 * Padded steps of the exported output must be exactly 0.
 */
export const TIMES = [1, 4, 9] as const;
export const BATCHES = [1, 3] as const;

/** The largest |onnx − unfold| seen, per test file; printed when UNFOLD_ONNX_REPORT is set. */
export class DiffLog {
  private worst = 0;
  private runs = 0;
  constructor(private readonly label: string) {}
  record(diff: number): void {
    this.runs++;
    if (!(diff <= this.worst)) this.worst = diff;
  }
  get max(): number {
    return this.worst;
  }
  report(): void {
    if (process.env.UNFOLD_ONNX_REPORT) console.info(`[onnx parity] ${this.label}: ${this.runs} runs, max |onnx − unfold| = ${this.worst.toExponential(2)}`);
  }
}

function readoutOf(model: ExportedModel): 'sequence' | 'last' {
  const described = readUnfoldMetadata(readOnnxModel(model.bytes)).interface;
  return described.version === 2 ? (described.semantics.readout === 'last' ? 'last' : 'sequence') : described.readout;
}

/** Values of a [B, T, F] tensor at steps t < lengths[b] (all when lengths is undefined), and the rest. */
function splitReal(value: HostValue, lengths: Int32Array | undefined): { real: number[]; padded: number[] } {
  const [batch, time, features] = value.shape as [number, number, number];
  const real: number[] = [];
  const padded: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < time; t++) {
      const into = !lengths || t < (lengths[b] as number) ? real : padded;
      for (let f = 0; f < features; f++) into.push(value.data[(b * time + t) * features + f] as number);
    }
  }
  return { real, padded };
}

/** Asserts two runs agree everywhere, with ONNX padding exactly 0, and returns the largest absolute difference. */
export function expectRunsClose(label: string, onnx: RunResult, reference: RunResult, lengths: Int32Array | undefined, readout: 'sequence' | 'last'): number {
  if (onnx.output.shape.join() !== reference.output.shape.join()) throw new Error(`${label}: output shape [${onnx.output.shape}] != [${reference.output.shape}]`);
  const masked = readout === 'sequence' ? lengths : undefined;
  const a = splitReal(onnx.output, masked);
  const b = splitReal(reference.output, masked);
  expectClose(onnx.output.data, reference.output.data, { label: `${label} output` });
  const nonZero = a.padded.findIndex((v) => v !== 0);
  if (nonZero >= 0) throw new Error(`${label}: padded output ${nonZero} is ${a.padded[nonZero]}, expected exactly 0`);
  let diff = maxAbsDiff(a.real, b.real);
  reference.finalState.forEach((state, i) => {
    const got = onnx.finalState[i] as HostValue;
    if (got.shape.join() !== state.shape.join()) throw new Error(`${label}: final state ${i} shape [${got.shape}] != [${state.shape}]`);
    expectClose(got.data, state.data, { label: `${label} final state ${i}` });
    diff = Math.max(diff, maxAbsDiff(got.data, state.data));
  });
  return diff;
}

function randomInput(model: ExportedModel, rng: Rng, batch: number, time: number): HostValue {
  const spec = inputSpecOf(model.root);
  return spec.kind === 'tokens' ? randomTokens(rng, [batch, time], spec.size) : randomFloats(rng, [batch, time, spec.size]);
}

/** Lengths in [1, T] with the first sequence full; with `allowEmpty`, the last sequence empty. */
function randomLengths(rng: Rng, batch: number, time: number, allowEmpty = false): Int32Array {
  return Int32Array.from({ length: batch }, (_, b) => (b === 0 ? time : allowEmpty && b === batch - 1 ? 0 : 1 + rng.int(time)));
}

/** A [1, ...shape] state row repeated for every sequence (what the exported model does with it); [B, ...shape] as is. */
function broadcastRows(row: HostValue, batch: number): HostValue {
  if (row.shape[0] === batch) return row;
  const size = row.data.length;
  const data = new Float32Array(batch * size);
  for (let b = 0; b < batch; b++) data.set(row.data.subarray(0, size), b * size);
  return { shape: [batch, ...row.shape.slice(1)], data };
}

/** One comparison: `lengths` and `states` given to both engines (states as rows of 1 broadcast in ONNX when `broadcast`). */
async function compareOnce(model: ExportedModel, log: DiffLog, label: string, x: HostValue, lengths: Int32Array | undefined, states: readonly HostValue[] | undefined): Promise<void> {
  const batch = x.shape[0] as number;
  const onnxLengths = lengths ? { shape: [batch], data: lengths } : { shape: [1], data: Int32Array.of(FULL_LENGTH) };
  const zeros = stateOf(model.root).map((s) => ({ shape: [1, ...s.shape], data: new Float32Array(s.size) }));
  const onnx = await onnxForward(model, { x, lengths: onnxLengths, initialState: states ?? zeros });
  const reference = unfoldForward(model, { x, ...(lengths ? { lengths } : {}), ...(states ? { initialState: states.map((s) => broadcastRows(s, batch)) } : {}) });
  log.record(expectRunsClose(label, onnx, reference, lengths, readoutOf(model)));
}

/**
 * onnxruntime vs unfold at every time in TIMES and batch in BATCHES: full length from zeros (lengths and
 * states given as broadcast rows of 1), and variable lengths from random initial states; at batch 3 also
 * an empty sequence and one random state row broadcast to every sequence.
 */
export async function checkParity(model: ExportedModel, log: DiffLog): Promise<void> {
  const states = stateOf(model.root);
  for (const time of TIMES) {
    for (const batch of BATCHES) {
      const rng = new Rng(`${model.name}/${time}/${batch}`);
      const x = randomInput(model, rng, batch, time);
      const at = `${model.name} T=${time} B=${batch}`;
      await compareOnce(model, log, `${at} full`, x, undefined, undefined);
      const lengths = randomLengths(rng, batch, time);
      await compareOnce(model, log, `${at} lengths ${lengths}`, x, lengths, states.map((s) => randomFloats(rng, [batch, ...s.shape])));
      if (batch > 1) {
        const withEmpty = randomLengths(rng, batch, time, true);
        await compareOnce(model, log, `${at} lengths ${withEmpty} shared state row`, x, withEmpty, states.map((s) => randomFloats(rng, [1, ...s.shape])));
      }
    }
  }
}

function sliceTime(value: HostValue, start: number, count: number): HostValue {
  const [batch, time] = value.shape as [number, number];
  const width = value.shape[2] ?? 1;
  const data = value.data instanceof Int32Array ? new Int32Array(batch * count * width) : new Float32Array(batch * count * width);
  for (let b = 0; b < batch; b++) data.set(value.data.subarray((b * time + start) * width, (b * time + start + count) * width), b * count * width);
  return { shape: value.shape.length === 3 ? [batch, count, width] : [batch, count], data };
}

function concatTime(parts: readonly HostValue[]): HostValue {
  const [batch, , width] = (parts[0] as HostValue).shape as [number, number, number];
  const time = parts.reduce((sum, p) => sum + (p.shape[1] as number), 0);
  const data = new Float32Array(batch * time * width);
  let offset = 0;
  for (const part of parts) {
    const steps = part.shape[1] as number;
    for (let b = 0; b < batch; b++) data.set(part.data.subarray(b * steps * width, (b + 1) * steps * width), (b * time + offset) * width);
    offset += steps;
  }
  return { shape: [batch, time, width], data };
}

/**
 * Runs a batch whose time axis is empty: outputs [B, 0, O] ([B, 1, O] of zeros for a last-step readout),
 * every final state exactly its initial state, and both engines agreeing.
 */
export async function checkEmptyTime(model: ExportedModel, log: DiffLog, batch: number): Promise<void> {
  const rng = new Rng(`${model.name}/empty`);
  const x = randomInput(model, rng, batch, 0);
  const initialState = stateOf(model.root).map((s) => randomFloats(rng, [batch, ...s.shape]));
  const onnx = await onnxForward(model, { x, lengths: { shape: [batch], data: new Int32Array(batch) }, initialState });
  const readout = readoutOf(model);
  const steps = readout === 'last' ? 1 : 0;
  if (onnx.output.shape[0] !== batch || onnx.output.shape[1] !== steps) throw new Error(`${model.name} T=0: output shape [${onnx.output.shape}], expected [${batch}, ${steps}, ...]`);
  onnx.finalState.forEach((state, i) => {
    const initial = initialState[i] as HostValue;
    if (state.shape.join() !== initial.shape.join() || state.data.some((v, j) => v !== initial.data[j])) throw new Error(`${model.name} T=0: final state ${i} is not its initial state`);
  });
  log.record(expectRunsClose(`${model.name} T=0`, onnx, unfoldForward(model, { x, initialState }), undefined, readout));
}

/**
 * Streams a batch through the model in chunks, feeding each call's state_out.* to the next call's
 * state_in.* with per-chunk lengths, and checks the result equals one call over the whole sequence,
 * which itself must match unfold. Returns the largest difference between chunked and whole.
 */
export async function checkStreaming(model: ExportedModel, log: DiffLog, batch: number, chunks: readonly number[]): Promise<number> {
  const time = chunks.reduce((a, b) => a + b, 0);
  const rng = new Rng(`${model.name}/stream/${chunks}`);
  const x = randomInput(model, rng, batch, time);
  const lengths = randomLengths(rng, batch, time);
  const start = stateOf(model.root).map((s) => randomFloats(rng, [batch, ...s.shape]));
  const whole = await onnxForward(model, { x, lengths: { shape: [batch], data: lengths }, initialState: start });
  log.record(expectRunsClose(`${model.name} whole`, whole, unfoldForward(model, { x, lengths, initialState: start }), lengths, 'sequence'));
  let state: readonly HostValue[] = start;
  let offset = 0;
  const outputs: HostValue[] = [];
  for (const steps of chunks) {
    const chunkLengths = lengths.map((length) => Math.min(Math.max(length - offset, 0), steps));
    const part = await onnxForward(model, { x: sliceTime(x, offset, steps), lengths: { shape: [batch], data: chunkLengths }, initialState: state });
    outputs.push(part.output);
    state = part.finalState;
    offset += steps;
  }
  return expectRunsClose(`${model.name} chunks ${chunks}`, { output: concatTime(outputs), finalState: state }, whole, lengths, 'sequence');
}
