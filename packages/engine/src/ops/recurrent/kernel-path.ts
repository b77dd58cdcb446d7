/**
 * The recurrent operators' fast path: one direction of LSTM, GRU or RNN run by the WebAssembly SIMD
 * whole-sequence kernels that training uses (`@unfold/cells/kernels`), where they load and compute the
 * node's equations: default activations (RNN: Tanh or Relu), an LSTM clip > 0 or none, no clip for GRU and
 * RNN, and a non-empty batch and sequence. Anything else, and every runtime where the kernels do not load
 * (no WebAssembly SIMD, `UNFOLD_KERNELS=off`, a host that forbids compiling WebAssembly at run time), runs
 * the plain loops of lstm.ts, gru.ts and rnn.ts; the operator tests run both against onnxruntime.
 *
 * The kernels run forward in time over a 0/1 mask (state carried and output 0 past a sequence's length),
 * so a reverse direction runs on each sequence reversed within its length, and its outputs are put back.
 */
import { activeKernels, gruForward, lstmForward, rnnForward, type Kernels, type SequenceOutputs } from '@unfold/cells/kernels';
import { ACTIVATIONS } from './activations';
import type { GruDirection } from './gru';
import type { LstmDirection } from './lstm';
import type { RnnDirection } from './rnn';

type Direction = LstmDirection | GruDirection | RnnDirection;

/** The kernels, when this direction has work for them. */
function kernelsFor(d: Direction): Kernels | undefined {
  return d.steps > 0 && d.batch > 0 ? activeKernels() : undefined;
}

/** X in the kernels' order (each sequence reversed within its length for a reverse direction) and the mask (none when every sequence is full). */
function inputs(d: Direction): { x: Float32Array; mask: Float32Array | undefined } {
  const { steps: T, batch: B, inputSize: I, lengths } = d;
  let full = true;
  for (let b = 0; b < B; b++) if ((lengths[b] as number) !== T) full = false;
  const mask = full ? undefined : new Float32Array(T * B);
  if (mask) for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) mask[t * B + b] = t < (lengths[b] as number) ? 1 : 0;
  if (!d.reverse) return { x: d.x, mask };
  const x = new Float32Array(T * B * I);
  for (let b = 0; b < B; b++) {
    const length = lengths[b] as number;
    for (let t = 0; t < length; t++) x.set(d.x.subarray(((length - 1 - t) * B + b) * I, ((length - 1 - t) * B + b + 1) * I), (t * B + b) * I);
  }
  return { x, mask };
}

/** The kernel's outputs [T·B, H] into the node's Y at the direction's offset and stride (reversed back where needed). */
function writeY(d: Direction, y: Float32Array): void {
  if (!d.y) return;
  const { batch: B, hidden: H, lengths } = d;
  for (let b = 0; b < B; b++) {
    const length = lengths[b] as number;
    for (let s = 0; s < length; s++) {
      const t = d.reverse ? length - 1 - s : s;
      d.y.set(y.subarray((s * B + b) * H, (s * B + b + 1) * H), d.yOffset + t * d.yStride + b * H);
    }
  }
}

function common(d: Direction) {
  const { x, mask } = inputs(d);
  // Initializers are packed once and kept with their arrays (the session's lifetime); other weights every run.
  return { T: d.steps, B: d.batch, I: d.inputSize, H: d.hidden, x, mask, W: d.w, R: d.r, bias: d.bias, h0: d.h0, cacheWeights: d.fixedWeights };
}

function finish(d: Direction, out: SequenceOutputs): SequenceOutputs {
  writeY(d, out.y);
  return out;
}

/** One LSTM direction on the kernels, or undefined when it must run the plain loops. */
export function lstmOnKernels(d: LstmDirection): { h: Float32Array; c: Float32Array } | undefined {
  const [f, g, h] = d.activations;
  if (f !== ACTIVATIONS.Sigmoid || g !== ACTIVATIONS.Tanh || h !== ACTIVATIONS.Tanh || !(d.clip > 0)) return undefined;
  const kernels = kernelsFor(d);
  if (!kernels) return undefined;
  const out = finish(d, lstmForward(kernels, { ...common(d), c0: d.c0, P: d.peepholes, clip: Number.isFinite(d.clip) ? d.clip : undefined, inputForget: d.inputForget }));
  return { h: out.h, c: out.c as Float32Array };
}

/** One GRU direction on the kernels, or undefined when it must run the plain loops. */
export function gruOnKernels(d: GruDirection): { h: Float32Array } | undefined {
  const [f, g] = d.activations;
  if (f !== ACTIVATIONS.Sigmoid || g !== ACTIVATIONS.Tanh || Number.isFinite(d.clip)) return undefined;
  const kernels = kernelsFor(d);
  if (!kernels) return undefined;
  return { h: finish(d, gruForward(kernels, { ...common(d), linearBeforeReset: d.linearBeforeReset })).h };
}

/** One RNN direction on the kernels, or undefined when it must run the plain loops. */
export function rnnOnKernels(d: RnnDirection): { h: Float32Array } | undefined {
  const [f] = d.activations;
  const activation = f === ACTIVATIONS.Tanh ? 'tanh' : f === ACTIVATIONS.Relu ? 'relu' : undefined;
  if (!activation || Number.isFinite(d.clip)) return undefined;
  const kernels = kernelsFor(d);
  if (!kernels) return undefined;
  return { h: finish(d, rnnForward(kernels, { ...common(d), activation })).h };
}
