import { RuntimeError } from './errors';
import { checkLimit, type RuntimeLimits } from './limits';
import type { UnfoldInfo } from './info/unfold-info';
import { readArray, readFloat, readInteger } from './values';

/**
 * A batch of variable-length sequences packed for the model: padded to the longest with zeros,
 * batch-first, with each sequence's real length. Feature steps are arrays of I numbers (a bare number
 * when I = 1); token steps are integer ids in [0, V).
 */
export interface PackedSequences {
  readonly batch: number;
  readonly time: number;
  readonly lengths: Int32Array;
  /** [batch, time, I] float32 for features, [batch, time] int32 for tokens. */
  readonly data: Float32Array | Int32Array;
}

/** Host sequences the runtime builds itself (rollout feedback): [batch][steps][I] or [batch][steps] ids. */
export type Sequences = readonly (readonly (number | readonly number[])[])[];

export interface PackOptions {
  readonly where: string;
  /** Applied to every feature value (z-scoring when the caller sends data units). */
  readonly transform?: (x: number) => number;
  /** Allow some sequences (not all) to be empty: streaming a batch whose sequences end at different chunks. */
  readonly allowEmpty: boolean;
  /** False when the answer does not hold these sequences' outputs (a rollout's context): maxOutputElements is the caller's check. */
  readonly answersOutputs?: boolean;
}

function shapeError(where: string, summary: string, expected: string, got: string, fix?: string): RuntimeError {
  return new RuntimeError('E_SHAPE', summary, { where, expected, got, ...(fix ? { fix } : {}) });
}

function readSteps(value: unknown, info: UnfoldInfo, limits: RuntimeLimits, where: string): readonly unknown[] {
  const what = info.inputKind === 'tokens' ? 'an array of token ids' : `an array of steps, each ${info.inputSize === 1 ? 'a number or ' : ''}an array of ${info.inputSize} numbers`;
  const steps = readArray(value, where, what);
  checkLimit('maxTime', steps.length, limits, where, 'steps in a sequence');
  return steps;
}

function writeFeatures(steps: readonly unknown[], into: Float32Array, offset: number, info: UnfoldInfo, where: string, transform?: (x: number) => number): void {
  const size = info.inputSize;
  steps.forEach((step, t) => {
    const at = `${where}[${t}]`;
    if (size === 1 && !Array.isArray(step) && (typeof step !== 'object' || step === null)) {
      into[offset + t] = readFloat(step, at, transform);
      return;
    }
    if (!Array.isArray(step) || step.length !== size) {
      throw shapeError(at, 'a step has the wrong number of features', `an array of ${size} numbers${size === 1 ? ' (or one number)' : ''}`, Array.isArray(step) ? `an array of ${step.length}` : String(step === null ? 'null' : typeof step), `the model reads ${size} features per step`);
    }
    for (let i = 0; i < size; i++) into[offset + t * size + i] = readFloat(step[i], `${at}[${i}]`, transform);
  });
}

function writeTokens(steps: readonly unknown[], into: Int32Array, offset: number, info: UnfoldInfo, where: string): void {
  steps.forEach((id, t) => {
    into[offset + t] = readInteger(id, `${where}[${t}]`, 0, info.inputSize - 1, 'E_TOKEN_RANGE');
  });
}

/**
 * The numbers an answer to these sequences holds, known before anything runs: an output row per real step
 * (readout `sequence`) or per sequence, and each state (stream returns them; predict's cost is the same).
 */
export function outputElements(info: UnfoldInfo, lengths: Int32Array): number {
  const rows = info.readout === 'sequence' ? lengths.reduce((a, b) => a + b, 0) : lengths.length;
  const states = info.states.reduce((a, s) => a + s.size, 0) * lengths.length;
  return rows * info.outputSize + states;
}

/** Validates and packs `inputs` (a batch of sequences) against the model; nothing reaches onnxruntime unchecked. */
export function packSequences(value: unknown, info: UnfoldInfo, limits: RuntimeLimits, options: PackOptions): PackedSequences {
  const { where } = options;
  const expected = info.inputKind === 'tokens' ? 'a batch: an array of sequences of token ids, [[3, 1, 4], [1, 5]]' : `a batch: an array of sequences of steps, [[[${Array(info.inputSize).fill('x').join(', ')}], …], …]`;
  if (!Array.isArray(value)) throw new RuntimeError('E_REQUEST', 'inputs must be a batch of sequences', { where, expected, got: value === null ? 'null' : typeof value });
  if (value.length === 0) throw shapeError(where, 'the batch is empty', 'at least one sequence', 'an empty array');
  checkLimit('maxBatch', value.length, limits, where, 'sequences in a batch');
  const sequences = value.map((s, b) => readSteps(s, info, limits, `${where}[${b}]`));
  const lengths = Int32Array.from(sequences, (s) => s.length);
  const time = Math.max(...lengths);
  if (time === 0) throw shapeError(where, 'every sequence is empty', 'at least one step in some sequence', `${lengths.length} empty sequences`);
  const empty = lengths.indexOf(0);
  if (empty >= 0 && !options.allowEmpty) throw shapeError(`${where}[${empty}]`, 'a sequence is empty', 'at least one step', 'an empty array');
  if (!info.hasSequenceLens && lengths.some((n) => n !== time)) {
    throw shapeError(where, 'sequences of different lengths', 'sequences of equal length (the model was exported without sequence_lens)', `lengths ${[...lengths].join(', ')}`, 'send equal-length sequences, or export the model with sequence_lens');
  }
  const stepSize = info.inputKind === 'tokens' ? 1 : info.inputSize;
  checkLimit('maxElements', value.length * time * stepSize, limits, where, 'input numbers (batch × longest sequence × features)');
  checkLimit('maxSteps', value.length * time, limits, where, 'model steps (batch × longest sequence)');
  if (options.answersOutputs !== false) checkLimit('maxOutputElements', outputElements(info, lengths), limits, where, 'numbers in the answer (each sequence’s output rows × outputs, plus states)');
  const data = info.inputKind === 'tokens' ? new Int32Array(value.length * time) : new Float32Array(value.length * time * stepSize);
  sequences.forEach((steps, b) => {
    if (data instanceof Int32Array) writeTokens(steps, data, b * time, info, `${where}[${b}]`);
    else writeFeatures(steps, data, b * time * stepSize, info, `${where}[${b}]`, options.transform);
  });
  return { batch: value.length, time, lengths, data };
}
