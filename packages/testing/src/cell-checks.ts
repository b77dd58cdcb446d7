import * as tf from '@tensorflow/tfjs-core';
import { deserializeModel, formatShape, initWeights, resolveModel, sameShape, serializeModel, type HostTensor } from '@unfold/core';
import { sliceTime, weightsToTensors, type CellCase, type CellReference } from './cell-case';
import { preferredPath, runCellHost, type CellPath, type HostCellResult } from './cell-run';
import { expectBitEqual, expectClose, type Tolerance } from './close';
import { toFloat64 } from './float64';

/**
 * The forward-pass conformance checks of a cell. Each takes a CellCase, throws an Error saying what
 * disagreed (and by how much) when the cell breaks the contract, and leaves no tensor behind.
 */

/** Fused path vs step loop, outputs and state: float32 rounding of the same math (design.md: 1e-5). */
export const SEQUENCE_TOLERANCE: Tolerance = { atol: 1e-5, rtol: 1e-5 };

function expectShape(actual: readonly number[], expected: readonly number[], label: string): void {
  if (!sameShape(actual, expected)) throw new Error(`${label}: expected shape ${formatShape(expected)}, got ${formatShape(actual)}`);
}

function requireSequence(c: CellCase, check: string): void {
  if (!c.plugin.sequence) throw new Error(`${check}: cell ${JSON.stringify(c.plugin.kind)} has no fused sequence path to check`);
}

/** A forward result in host memory, float32 (from a cell) or float64 (from a reference). */
export interface ResultLike {
  readonly outputs: { readonly shape: readonly number[]; readonly data: ArrayLike<number> };
  readonly state: readonly { readonly shape: readonly number[]; readonly data: ArrayLike<number> }[];
}

/** Compares two host results element-wise (outputs, then each state by name). */
export function expectResultsClose(actual: ResultLike, expected: ResultLike, c: CellCase, label: string, tolerance: Tolerance): void {
  expectShape(actual.outputs.shape, expected.outputs.shape, `${label}: outputs`);
  expectClose(actual.outputs.data, expected.outputs.data, { ...tolerance, label: `${label}: outputs` });
  c.states.forEach((state, k) => {
    const a = actual.state[k];
    const b = expected.state[k];
    if (!a || !b) throw new Error(`${label}: state ${state.name} is missing (got ${actual.state.length} and ${expected.state.length} states)`);
    expectShape(a.shape, b.shape, `${label}: state ${state.name}`);
    expectClose(a.data, b.data, { ...tolerance, label: `${label}: state ${state.name}` });
  });
}

function expectResultsIdentical(actual: HostCellResult, expected: HostCellResult, c: CellCase, label: string): void {
  expectBitEqual(actual.outputs.data, expected.outputs.data, `${label}: outputs`);
  c.states.forEach((state, k) => expectBitEqual((actual.state[k] as HostTensor).data, (expected.state[k] as HostTensor).data, `${label}: state ${state.name}`));
}

/** `step` returns [B, outputSize] and one [B, size] tensor per declared state; so does `sequence`, with [T, B, O] outputs. */
export function checkShapes(c: CellCase): void {
  const { T, B, I, O } = c.dims;
  const kind = c.plugin.kind;
  tf.tidy(() => {
    const params = weightsToTensors(c.weights);
    const x = tf.tensor2d(c.x.data.subarray(0, B * I), [B, I]);
    const state = c.state0.map((s) => tf.tensor(s.data, [B, ...s.shape.slice(1)]));
    let result: ReturnType<typeof c.plugin.step>;
    try {
      result = c.plugin.step(params, x, state, c.config);
    } catch (cause) {
      const given = state.map((s, k) => `${c.states[k]?.name} ${formatShape(s.shape)}`).join(', ');
      throw new Error(`${kind} step failed on x ${formatShape([B, I])} and the states state(config) declares (${given}): ${(cause as Error).message}`, { cause });
    }
    expectShape(result.output.shape, [B, O], `${kind} step: output`);
    if (result.state.length !== c.states.length) throw new Error(`${kind} step: returned ${result.state.length} states; state(config) declares ${c.states.length} (${c.states.map((s) => s.name).join(', ')})`);
    c.states.forEach((spec, k) => expectShape((result.state[k] as tf.Tensor).shape, [B, ...spec.shape], `${kind} step: state ${spec.name}`));
    if (result.output.dtype !== 'float32') throw new Error(`${kind} step: output dtype is ${result.output.dtype}; expected float32`);
  });
  if (c.plugin.sequence) {
    const result = runCellHost(c, 'sequence');
    expectShape(result.outputs.shape, [T, B, O], `${kind} sequence: outputs`);
    if (result.state.length !== c.states.length) throw new Error(`${kind} sequence: returned ${result.state.length} states; expected ${c.states.length}`);
    c.states.forEach((spec, k) => expectShape((result.state[k] as HostTensor).shape, [B, ...spec.shape], `${kind} sequence: state ${spec.name}`));
  }
}

/** The same seed gives bit-identical initial weights, and the same inputs give bit-identical outputs. */
export function checkDeterminism(c: CellCase): void {
  const again = initWeights(resolveModel(c.registry, c.spec), c.seed);
  for (const [name, tensor] of Object.entries(c.initialWeights)) {
    const other = again[name];
    if (!other) throw new Error(`initWeights: second run has no ${name}`);
    expectBitEqual(other.data, tensor.data, `initWeights(seed ${c.seed}) ${name}`);
  }
  const paths: CellPath[] = c.plugin.sequence ? ['sequence', 'step-loop'] : ['step-loop'];
  for (const path of paths) {
    expectResultsIdentical(runCellHost(c, path), runCellHost(c, path), c, `${c.plugin.kind} ${path} run twice`);
  }
}

/** T = 0 through the fused path: outputs [0, B, O] and the final state bit-equal to the initial state. */
export function checkEmptySequence(c: CellCase): void {
  requireSequence(c, 'checkEmptySequence');
  const { B, O } = c.dims;
  const result = runCellHost(c, 'sequence', { x: sliceTime(c.x, 0) });
  expectShape(result.outputs.shape, [0, B, O], `${c.plugin.kind} sequence T=0: outputs`);
  c.states.forEach((state, k) => expectBitEqual((result.state[k] as HostTensor).data, (c.state0[k] as HostTensor).data, `${c.plugin.kind} sequence T=0: final state ${state.name} (must equal the initial state)`));
}

/** T = 1: the fused path on one step equals one call of `step`. */
export function checkSingleStep(c: CellCase, tolerance: Tolerance = SEQUENCE_TOLERANCE): void {
  requireSequence(c, 'checkSingleStep');
  const x = sliceTime(c.x, 1);
  expectResultsClose(runCellHost(c, 'sequence', { x }), runCellHost(c, 'step-loop', { x }), c, `${c.plugin.kind} T=1 sequence vs step`, tolerance);
}

/** The fused path agrees with the step loop in outputs and final state, with or without the padding mask. */
export function checkSequenceMatchesStep(c: CellCase, options: { masked?: boolean; tolerance?: Tolerance } = {}): void {
  requireSequence(c, 'checkSequenceMatchesStep');
  const inputs = options.masked ? { mask: c.mask } : {};
  const label = `${c.plugin.kind} sequence vs step loop${options.masked ? ` (mask, lengths [${c.lengths.join(', ')}])` : ''}`;
  expectResultsClose(runCellHost(c, 'sequence', inputs), runCellHost(c, 'step-loop', inputs), c, label, options.tolerance ?? SEQUENCE_TOLERANCE);
}

/** serializeModel → deserializeModel gives the same weight bytes and bit-identical outputs. */
export function checkRoundTrip(c: CellCase): void {
  const bytes = serializeModel(c.registry, { spec: c.spec, weights: c.weights });
  const loaded = deserializeModel(c.registry, bytes, `${c.plugin.kind} round trip`);
  for (const [name, tensor] of Object.entries(c.weights)) {
    const back = loaded.weights[name];
    if (!back) throw new Error(`${c.plugin.kind} round trip: weight ${name} is missing after load`);
    expectShape(back.shape, tensor.shape, `${c.plugin.kind} round trip: ${name}`);
    expectBitEqual(back.data, tensor.data, `${c.plugin.kind} round trip: ${name}`);
  }
  const path = preferredPath(c.plugin);
  expectResultsIdentical(runCellHost(c, path, { weights: loaded.weights }), runCellHost(c, path), c, `${c.plugin.kind} outputs after save/load`);
}

/** Runs the float64 reference on the case's own (unmasked) inputs; checks the sizes it returns. */
export function runReference(c: CellCase, reference: CellReference): ResultLike {
  const params: Record<string, Float64Array> = {};
  for (const [name, tensor] of Object.entries(c.weights)) params[name] = toFloat64(tensor.data);
  const result = reference(params, toFloat64(c.x.data), c.state0.map((s) => toFloat64(s.data)), c.config, { T: c.dims.T, B: c.dims.B });
  const { T, B, O } = c.dims;
  if (result.state.length !== c.states.length) throw new Error(`reference returned ${result.state.length} states; the cell declares ${c.states.length}`);
  const host = (data: Float64Array, shape: number[], label: string): ResultLike['outputs'] => {
    const size = shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) throw new Error(`reference ${label}: ${data.length} values, expected ${size} for ${formatShape(shape)}`);
    return { shape, data };
  };
  return {
    outputs: host(result.outputs, [T, B, O], 'outputs'),
    state: c.states.map((state, k) => host(result.state[k] as Float64Array, [B, ...state.shape], `state ${state.name}`)),
  };
}

/** The cell (fused path when present) agrees with its float64 reference in outputs and final state. */
export function checkAgainstReference(c: CellCase, reference: CellReference, tolerance: Tolerance = SEQUENCE_TOLERANCE): void {
  const path = preferredPath(c.plugin);
  const expected = runReference(c, reference);
  expectResultsClose(runCellHost(c, path), expected, c, `${c.plugin.kind} ${path} vs float64 reference`, tolerance);
}
