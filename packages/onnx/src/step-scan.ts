import {
  ExportError,
  int64Constant,
  ONNX_INT64,
  stateOf,
  type CellOnnxContext,
  type CellOnnxStepMapping,
  type CellPlugin,
  type OnnxGraphBuilder,
  type OnnxValueType,
  type ResolvedNode,
  type SequenceOnnxResult,
} from '@unfold/core';

/**
 * The shared emitter of per-step mappings (`CellPlugin.onnxStep`): it runs a cell's step as a `Scan` over
 * time and owns everything around the step, so a cell describes only its step (and optionally `prepare`).
 *
 * What the graph computes, for the cell input x [T, B, I] (time-major), lengths ℓ [B], initial states sᵢ [B, ...shapeᵢ]:
 *
 *   x̂ = [x; 0]                     [T + 1, B, I]  one zero step appended, so the Scan never sees an empty
 *                                                 time axis (onnxruntime rejects one)
 *   reversed cells: x̂ reversed within each ℓ (ReverseSequence), so real steps come first
 *   p = prepare(x̂), or x̂           [T + 1, B, F]  the mapping's work outside the loop (an input projection)
 *   c₀ = encode(s₀), or s₀                        the mapping's carried form of the states (`carry`)
 *   Scan over t:  (yₜ, cₜ) = step(pₜ, cₜ₋₁)        every step, padding included; y and each c scanned out
 *                                                 (y as its `outputTerms`, added after the loop, when given)
 *   outputs = yₜ (decode(yₜ) when y is a carried state) for t < ℓ, exactly 0 after (Where), t < T;
 *             reversed back for reversed cells
 *   final   = decode(cᵢ) at step max(ℓ − 1, 0) (GatherElements); for ℓ = 0 the exporter keeps sᵢ (keepStateWhenEmpty)
 *
 * States may have any rank: the gather index is [1, B, ...shapeᵢ]. A state the step also returns as its
 * output is scanned out once.
 *
 * Choices, measured in onnxruntime-node 1.30 on 1 thread at the benchmark size (input 32, hidden 128, 64
 * steps; tools/bench/src/onnx-speed.mjs). At batch 1 a Scan step costs ~1 µs per body node beyond the
 * arithmetic, so the body holds the step's own nodes and nothing else:
 * - **No masking inside the loop.** Carrying the state with a per-step Where (the mask a second scanned
 *   input) made the final state the Scan's own, but cost ~1 µs a step (+25% for an ESN at batch 1); the
 *   gather at ℓ − 1 and one Where over the outputs cost a few µs per call. Outputs are selected with
 *   Where, not multiplied, so not even an overflow in a padded relu step reaches a real value.
 * - **A state that is also the output** (most cells: h' is both) needs an Identity in the body, since a
 *   value cannot be a Scan's state and its scanned output at once; onnxruntime accepts a body that lists
 *   one value twice but was no faster. A step that gives `outputTerms` (h' = κ ⊙ h + g: its terms) has
 *   them scanned out instead and added once over [T + 1, B, O]: no Identity, ~20% faster for a leaky
 *   integrator at batch 1, and the sum is the same float32 Add the body makes.
 * - **`carry`** (a state carried in another form, so the step folds a factor into its weights) costs an
 *   encode per initial state and a decode per final state, outside the loop; a state that is also the
 *   output is decoded once over every step and its final value gathered from that.
 * - **Named batch dimension.** The body's values are declared [batch, ...], not [?, ...]: when the initial
 *   state's batch size cannot be inferred (the exporter broadcasts it with Expand), onnxruntime otherwise
 *   plans the body's memory anew every step (~1.6 µs more per step, a third of a small body).
 * - **T = 0.** The appended zero step (one step more of compute, discarded) beat an If(T > 0) around the
 *   Scan (~15 µs per call at batch 1, and ~10% at batch 64, where the If's outputs were copied out of its
 *   subgraph). A Loop handles zero trips but ran at 4.9× the RNN op (a Gather per step) and returned its
 *   scanned output as [0, 0, H] at zero trips, losing the batch axis.
 * - **Padding and reversal before `prepare`**, on x (I features) rather than on p, which is usually wider.
 *   So `prepare` sees T + 1 steps, in processing order, and must treat each step on its own (as an input
 *   projection does).
 */

const BATCH = 'batch';

/** What the emitter needs: a cell's mapping context (graph as the cell sees it, with lengths), its node and its mapping. */
export interface StepScanArguments extends CellOnnxContext<unknown> {
  readonly sequenceLens: string;
  readonly node: ResolvedNode;
  readonly mapping: CellOnnxStepMapping<unknown>;
}

function stepError(node: ResolvedNode, what: string, expected: string, got: string): ExportError {
  const plugin = node.plugin;
  return new ExportError(`the onnxStep mapping of cell ${JSON.stringify(plugin.kind)} ${what}`, { where: node.path || 'model', expected, got, fix: `fix onnxStep in ${plugin.meta.package}` });
}

/** bool [T + 1, B, 1]: step t of sequence b is real (t < ℓ_b), for a time-major value of T + 1 steps. */
function realSteps(graph: OnnxGraphBuilder, sequence: string, lengths: string): string {
  const [shape] = graph.node('Shape', [sequence], {}, { stem: 'scan_shape' }) as [string];
  const [time] = graph.node('Gather', [shape, graph.constant('time_index', int64Constant([0], []))], { axis: 0 }, { stem: 'scan_steps' }) as [string]; // scalar T + 1
  const [range] = graph.node('Range', [graph.constant('step_from', int64Constant([0], [])), time, graph.constant('step_delta', int64Constant([1], []))], {}, { stem: 'steps' }) as [string];
  const [column] = graph.node('Unsqueeze', [range, graph.constant('axis_1', int64Constant([1]))], {}, { stem: 'step_column' }) as [string]; // [T + 1, 1]
  const [real] = graph.node('Less', [column, lengths], {}, { stem: 'real_steps' }) as [string]; // [T + 1, B]
  return graph.node('Unsqueeze', [real, graph.constant('axis_2', int64Constant([2]))], {}, { stem: 'real_column' })[0] as string;
}

/** The state at step max(ℓ − 1, 0) of each sequence, [B, ...shape], from its values at every step [T + 1, B, ...shape]. */
function lastRealStep(graph: OnnxGraphBuilder, steps: string, lengths: string, shape: readonly number[], stem: string): string {
  const [last] = graph.node('Sub', [lengths, graph.constant('one_step', int64Constant([1], []))], {}, { stem: 'last_step' }) as [string];
  const [clipped] = graph.node('Max', [last, graph.constant('first_step', int64Constant([0], []))], {}, { stem: 'last_step_clipped' }) as [string];
  const ones = shape.map(() => 1);
  const [column] = graph.node('Reshape', [clipped, graph.constant('last_column_shape', int64Constant([1, -1, ...ones]))], {}, { stem: 'last_step_column' }) as [string]; // [1, B, 1, ...]
  const [index] = graph.node('Expand', [column, graph.constant('last_index_shape', int64Constant([1, 1, ...shape]))], {}, { stem: 'last_step_index' }) as [string]; // [1, B, ...shape]
  const [picked] = graph.node('GatherElements', [steps, index], { axis: 0 }, { stem: `${stem}.picked` }) as [string];
  return graph.node('Squeeze', [picked, graph.constant('time_axis', int64Constant([0]))], {}, { stem: `${stem}.last` })[0] as string;
}

function float(shape: readonly (number | string)[], stem?: string): OnnxValueType {
  return stem ? { dtype: 'float32', shape, stem } : { dtype: 'float32', shape };
}

/**
 * Emits a cell with a per-step mapping over the whole sequence (what the graph computes: the module
 * comment). The final states are those at step max(ℓ − 1, 0); the caller keeps the initial state where
 * ℓ = 0 (keepStateWhenEmpty).
 */
export function emitStepScan(args: StepScanArguments): SequenceOnnxResult {
  const { graph, node, mapping, weights } = args;
  const plugin = node.plugin as CellPlugin;
  const config = node.config;
  const states = stateOf(node);
  const names = plugin.state(config).map((s) => s.name);
  const outputSize = plugin.outputSize(config);
  const [lengths] = graph.node('Cast', [args.sequenceLens], { to: ONNX_INT64 }, { stem: 'lengths_int64' }) as [string]; // ℓ [B]
  const [padded] = graph.node('Pad', [args.input, graph.constant('one_more_step', int64Constant([0, 0, 0, 1, 0, 0]))], {}, { stem: 'input_padded' }) as [string]; // [T + 1, B, I]
  const reverse = (sequence: string, stem: string): string => graph.node('ReverseSequence', [sequence, lengths], { batch_axis: 1, time_axis: 0 }, { stem })[0] as string;
  const ordered = args.reverse ? reverse(padded, 'input_reversed') : padded;
  const prepared = mapping.prepare ? mapping.prepare({ graph, config, weights, input: ordered }) : { input: ordered, size: plugin.inputSize(config) };
  if (typeof prepared?.input !== 'string' || !Number.isSafeInteger(prepared.size) || prepared.size < 1) {
    throw stepError(node, 'returned an invalid prepared input', '{ input: a value name, size: its features (>= 1) }', JSON.stringify(prepared));
  }
  const carry = mapping.carry;
  const initial = carry ? args.initialState.map((value, index) => carry.encode({ graph, config, weights, index, value })) : args.initialState;
  // Where each state is read at every step: its own scanned output (an index into them), or -1: the output's.
  let stateScans: number[] = [];
  let termCount = 0; // > 0: the output is scanned out as that many terms, added after the loop
  const stateTypes = states.map((s, i) => float([BATCH, ...s.shape], names[i]));
  const body = (step: OnnxGraphBuilder, inputs: readonly string[]): string[] => {
    const result = mapping.step({ graph: step, config, weights, input: inputs[states.length] as string, state: inputs.slice(0, states.length) });
    const terms = result?.outputTerms;
    const validTerms = terms === undefined || (Array.isArray(terms) && terms.length > 0 && terms.every((t) => typeof t === 'string'));
    if (typeof result?.output !== 'string' || !Array.isArray(result.state) || result.state.length !== states.length || !validTerms) {
      throw stepError(node, 'returned an invalid step', `{ output: a value name, state: ${states.length} value names (${names.join(', ') || 'none'}), outputTerms?: value names }`, JSON.stringify(result));
    }
    termCount = terms?.length ?? 0;
    const scanned = terms ? [...terms] : [result.output];
    stateScans = result.state.map((next) => (next === result.output ? -1 : scanned.push(next) - 1));
    return [...result.state, ...scanned];
  };
  // The body decides how many scanned outputs it needs (the builder reads `signature.outputs` after running it).
  let outputs: OnnxValueType[] = [];
  const handle = graph.subgraph('step', {
    inputs: [...stateTypes, float([BATCH, prepared.size], 'x_t')],
    get outputs() {
      return outputs;
    },
  }, (step, inputs) => {
    const returned = body(step, inputs);
    const outputSlots = Array.from({ length: termCount || 1 }, () => float([BATCH, outputSize]));
    outputs = [...states.map((s) => float([BATCH, ...s.shape])), ...outputSlots, ...states.filter((_, i) => (stateScans[i] as number) >= 0).map((s) => float([BATCH, ...s.shape]))];
    return returned;
  });
  const scanned = graph.node('Scan', [...initial, prepared.input], { body: handle, num_scan_inputs: 1 }, { outputs: outputs.length, stem: 'scan' }).slice(states.length); // [T + 1, B, ...] each
  const terms = scanned.slice(0, termCount);
  const output = termCount ? terms.slice(1).reduce((sum, term) => graph.node('Add', [sum, term], {}, { stem: 'output_sum' })[0] as string, terms[0] as string) : (scanned[0] as string);
  const perStep = (i: number): string => ((stateScans[i] as number) < 0 ? output : (scanned[stateScans[i] as number] as string));
  const decode = (value: string, index: number): string => (carry ? carry.decode({ graph, config, weights, index, value }) : value);
  const outputState = stateScans.indexOf(-1); // the output is this state (carried), or -1
  const decoded = outputState >= 0 ? decode(output, outputState) : output;
  // A state that is the output is gathered from the decoded outputs (one decode for both); any other decoded after its gather.
  const finalState = states.map((s, i) => {
    const gather = (steps: string): string => lastRealStep(graph, steps, lengths, s.shape, names[i] as string);
    return (stateScans[i] as number) < 0 ? gather(decoded) : decode(gather(perStep(i)), i);
  });
  const [zeroed] = graph.node('Where', [realSteps(graph, ordered, lengths), decoded, graph.constant('zero', { shape: [], data: new Float32Array(1) })], {}, { stem: 'outputs_masked' }) as [string];
  const [sliced] = graph.node('Slice', [zeroed, graph.constant('outputs_from', int64Constant([0])), graph.constant('outputs_to', int64Constant([-1]))], {}, { stem: 'outputs_steps' }) as [string]; // [T, B, O]
  return { outputs: args.reverse ? reverse(sliced, 'outputs') : sliced, finalState };
}
