import { checkFeedsBack, checkStreamable } from './capabilities';
import { RuntimeError } from './errors';
import { checkLimit, type RuntimeLimits } from './limits';
import type { RolloutResult } from './model';
import { readChoice, readCount, readRequest, readSampling, type ParsedSampling } from './requests';
import { createRng } from './rng';
import { chooseToken } from './sampling';
import { packSequences, type PackedSequences } from './sequences';
import type { ModelSession } from './session';
import { packStates, statesToJson, type StateTensor } from './states';
import type { UnfoldInfo } from './info/unfold-info';
import { runChunk, type ChunkResult } from './unfold-run';
import { scalingOf } from './units';

/**
 * Free-running generation: the model reads a context, and each output is fed back as the next input.
 *
 * - features models (O = I): the output row itself is the next input step (in model units; the caller's
 *   units apply only at the edges);
 * - token models (O = vocabulary): the next token is chosen from the output row (greedy, or sampled with
 *   temperature / top-k from a seeded generator; see sampling.ts and rng.ts), one draw per sequence per
 *   step, sequences in batch order.
 *
 * `feedback: "state"` carries the recurrent state, one one-step call per generated step.
 * `feedback: "window"` re-runs the model from a fresh state on the last `window` steps each time.
 * The whole rollout's input numbers (every call together) count against `maxElements`, so a window
 * rollout's cost (steps × window) is bounded as well as its length.
 */
export interface RolloutContext {
  readonly name: string;
  readonly session: ModelSession;
  readonly info: UnfoldInfo;
}

const FIELDS = ['inputs', 'steps', 'state', 'units', 'feedback', 'window', 'sampling'] as const;

/** The output row each sequence's next step is read from: its last real step (row 0 for readout "last"). */
function lastRows(result: ChunkResult, lengths: Int32Array, size: number): Float32Array[] {
  return Array.from(lengths, (length, b) => {
    const t = result.steps === 1 ? 0 : length - 1;
    const offset = (b * result.steps + t) * size;
    return result.output.slice(offset, offset + size);
  });
}

/** One step per sequence as a batch of length-1 sequences. */
function oneStep(next: readonly (Float32Array | number)[], info: UnfoldInfo): PackedSequences {
  const batch = next.length;
  const lengths = new Int32Array(batch).fill(1);
  if (info.inputKind === 'tokens') return { batch, time: 1, lengths, data: Int32Array.from(next as number[]) };
  const data = new Float32Array(batch * info.inputSize);
  next.forEach((row, b) => data.set(row as Float32Array, b * info.inputSize));
  return { batch, time: 1, lengths, data };
}

/** The last `window` steps of every sequence's history, padded. */
function windows(histories: readonly (Float32Array | number)[][], window: number, info: UnfoldInfo): PackedSequences {
  const batch = histories.length;
  const lengths = Int32Array.from(histories, (h) => Math.min(h.length, window));
  const time = Math.max(...lengths);
  const size = info.inputKind === 'tokens' ? 1 : info.inputSize;
  const data = info.inputKind === 'tokens' ? new Int32Array(batch * time) : new Float32Array(batch * time * size);
  histories.forEach((history, b) => {
    history.slice(history.length - (lengths[b] as number)).forEach((step, t) => {
      if (data instanceof Int32Array) data[b * time + t] = step as number;
      else data.set(step as Float32Array, (b * time + t) * size);
    });
  });
  return { batch, time, lengths, data };
}

/** The context as per-sequence histories of steps, in model units. */
function historiesOf(context: PackedSequences, info: UnfoldInfo): (Float32Array | number)[][] {
  const size = info.inputKind === 'tokens' ? 1 : info.inputSize;
  return Array.from(context.lengths, (length, b) =>
    Array.from({ length }, (_, t): Float32Array | number => {
      const offset = (b * context.time + t) * size;
      return context.data instanceof Int32Array ? (context.data[offset] as number) : context.data.slice(offset, offset + size);
    }),
  );
}

type Step = Float32Array | number;

interface Loop {
  readonly model: RolloutContext;
  readonly context: PackedSequences;
  readonly steps: number;
  readonly choose: (row: Float32Array) => Step;
  readonly limits: RuntimeLimits;
  readonly fields: Record<string, unknown>;
}

/** Feedback "state": one call for the context, then one one-step call per generated step. */
async function rollWithState({ model, context, steps, choose, limits, fields }: Loop): Promise<{ generated: Step[][]; state: Record<string, StateTensor> }> {
  const { info, session, name } = model;
  checkStreamable(info, `${name}: rollout with feedback "state"`);
  if (fields.window !== undefined) throw new RuntimeError('E_REQUEST', 'window applies to feedback "window" only', { where: 'window', expected: 'no window with feedback "state"', got: String(fields.window), fix: 'add "feedback": "window", or remove "window"' });
  const stepSize = info.inputKind === 'tokens' ? 1 : info.inputSize;
  checkLimit('maxElements', context.data.length + context.batch * (steps - 1) * stepSize, limits, 'steps', 'input numbers over the whole rollout (context + batch × (steps − 1) × features)');
  checkLimit('maxSteps', context.batch * (context.time + steps - 1), limits, 'steps', 'model steps over the whole rollout (batch × (context + steps − 1))');
  const generated: Step[][] = Array.from({ length: context.batch }, () => []);
  let result = await runChunk(session, info, context, packStates(fields.state, info.states, context.batch, 'state'), name);
  let lengths = context.lengths;
  for (let k = 0; k < steps; k++) {
    const next = lastRows(result, lengths, info.outputSize).map(choose);
    next.forEach((value, b) => generated[b]?.push(value));
    if (k === steps - 1) break;
    const step = oneStep(next, info);
    lengths = step.lengths;
    result = await runChunk(session, info, step, result.states.map((data) => ({ rows: context.batch, data })), name);
  }
  return { generated, state: statesToJson(info.states, result.states, context.batch) };
}

/** Feedback "window": every step re-runs the last `window` steps of each sequence from a fresh state. */
async function rollWithWindow({ model, context, steps, choose, limits, fields }: Loop): Promise<{ generated: Step[][] }> {
  const { info, session, name } = model;
  if (fields.state !== undefined) throw new RuntimeError('E_REQUEST', 'state applies to feedback "state" only', { where: 'state', expected: 'no state with feedback "window" (every window starts fresh)', got: 'a state' });
  const window = fields.window !== undefined ? readCount(fields.window, 'window', { name: 'maxTime', limits, what: 'steps in a rollout window' }) : info.window;
  if (window === null) throw new RuntimeError('E_REQUEST', 'missing field', { where: 'window', expected: 'the window length (the model’s metadata has no window)', got: 'nothing' });
  const stepSize = info.inputKind === 'tokens' ? 1 : info.inputSize;
  checkLimit('maxElements', context.batch * steps * window * stepSize, limits, 'steps', 'input numbers over the whole rollout (batch × steps × window × features)');
  checkLimit('maxSteps', context.batch * steps * window, limits, 'steps', 'model steps over the whole rollout (batch × steps × window)');
  const generated: Step[][] = Array.from({ length: context.batch }, () => []);
  const histories = historiesOf(context, info);
  const fresh = packStates(undefined, info.states, context.batch, 'state');
  for (let k = 0; k < steps; k++) {
    const packed = windows(histories, window, info);
    const result = await runChunk(session, info, packed, fresh, name);
    lastRows(result, packed.lengths, info.outputSize)
      .map(choose)
      .forEach((value, b) => {
        generated[b]?.push(value);
        histories[b]?.push(value);
      });
  }
  return { generated };
}

export async function rollout(model: RolloutContext, request: unknown, limits: RuntimeLimits): Promise<RolloutResult> {
  const { info, name } = model;
  const fields = readRequest(request, FIELDS, 'request');
  checkFeedsBack(info, `${name}: rollout`);
  if (fields.steps === undefined) throw new RuntimeError('E_REQUEST', 'missing field', { where: 'steps', expected: 'how many steps to generate, an integer ≥ 1', got: 'nothing' });
  const steps = readCount(fields.steps, 'steps', { name: 'maxRolloutSteps', limits, what: 'rollout steps' });
  const feedback = readChoice(fields.feedback, ['state', 'window'] as const, 'state', 'feedback');
  const categorical = info.outputKind !== 'features';
  if (!categorical && fields.sampling !== undefined) {
    throw new RuntimeError('E_UNSUPPORTED', 'sampling applies to token models only', { where: 'sampling', expected: 'no sampling field for a features model (its rollout is deterministic)', got: 'a sampling field', fix: 'remove "sampling"' });
  }
  const sampling: ParsedSampling | null = categorical ? readSampling(fields.sampling, info.outputSize, 'sampling') : null;
  const scaling = scalingOf(info, readChoice(fields.units, ['data', 'normalised'] as const, 'data', 'units'));
  const context = packSequences(fields.inputs, info, limits, { where: 'inputs', transform: scaling.toModel, allowEmpty: false, answersOutputs: false });
  const answered = context.batch * steps * (categorical ? 1 : info.outputSize) + (feedback === 'state' ? context.batch * info.states.reduce((a, s) => a + s.size, 0) : 0);
  checkLimit('maxOutputElements', answered, limits, 'steps', 'numbers in the answer (batch × steps × outputs, plus states)');
  const rng = createRng(sampling?.seed ?? 0);
  const choose = (row: Float32Array): Step => (sampling ? chooseToken(row, info.outputKind as 'probabilities' | 'logits', sampling, rng) : row);
  const loop: Loop = { model, context, steps, choose, limits, fields };
  const { generated, ...rest } = feedback === 'state' ? await rollWithState(loop) : await rollWithWindow(loop);
  if (categorical) return { kind: 'tokens', tokens: generated.map((g) => g as number[]), ...rest };
  const map = scaling.toCaller;
  return { kind: 'features', outputs: generated.map((g) => g.map((row) => Array.from(row as Float32Array, (z) => (map ? map(z) : z)))), ...rest };
}
