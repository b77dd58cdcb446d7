import {
  ExportError,
  isMap,
  isRecurrence,
  isSequenceLayer,
  isUnfoldError,
  ownParameters,
  stateOf,
  type CellOnnxStepMapping,
  type HostTensor,
  type Plugin,
  type ResolvedNode,
  type SequenceOnnxResult,
  type WeightMap,
} from '@unfold/core';
import { keepStateWhenEmpty, viewFor, type MappingEnvironment } from './environment';
import { emitStepScan } from './step-scan';

/*
 * Walks the model tree, calling each plugin's own ONNX mapping by its family's role: recurrences (cells)
 * through `CellOnnxMapping` (the fast path, e.g. a native LSTM op) or else their per-step
 * `CellOnnxStepMapping`, run by the shared Scan emitter (step-scan.ts); sequence layers through
 * `LayerOnnxMapping` (which reach their children through `sequence` and `head`); maps (heads) through
 * `HeadOnnxMapping`. A family names the members that export its plugins (`exportedBy`). Each plugin writes
 * through a view of the graph prefixed with its path. Results are checked, and an unexpected error inside
 * a plugin's mapping becomes an ExportError naming the plugin.
 */

/** True when the plugin has one of its family's export members (a family with none is never exported). */
function hasMapping(plugin: Plugin): boolean {
  const record = plugin as unknown as Record<string, unknown>;
  const members = plugin.familySpec.exportedBy;
  return members.length === 0 || members.some((member) => record[member] !== undefined);
}

function describe(node: ResolvedNode): string {
  const plugin = node.plugin;
  return `${plugin.family} ${JSON.stringify(plugin.kind)} (${plugin.meta.package}@${plugin.meta.version})`;
}

function allNodes(root: ResolvedNode): ResolvedNode[] {
  const children = Object.values(root.children).flatMap((child) => (Array.isArray(child) ? child : [child as ResolvedNode]));
  return [root, ...children.flatMap(allNodes)];
}

/** The error for parts of a model whose plugins have no `onnx` mapping (the first named, the rest listed). */
function missingMapping(missing: readonly ResolvedNode[]): ExportError {
  const first = missing[0] as ResolvedNode;
  const plugin = first.plugin;
  const family = plugin.family;
  const members = plugin.familySpec.exportedBy.length ? plugin.familySpec.exportedBy : ['onnx'];
  const listed = `an ${members.map((m) => `\`${m}\``).join(' or ')}`;
  const others = missing.slice(1).map((n) => `${n.path || 'model'} (${n.plugin.kind})`);
  return new ExportError(`${family} ${JSON.stringify(plugin.kind)} has no ONNX mapping`, {
    where: first.path || 'model',
    expected: `${listed} property on the ${family} plugin ${JSON.stringify(plugin.kind)}`,
    got: `none in ${plugin.meta.package}@${plugin.meta.version}${others.length ? `; also missing at ${others.join(', ')}` : ''}`,
    fix: `add ${members.length > 1 ? 'one of them' : `\`${members[0]}\``} to the ${family} ${JSON.stringify(plugin.kind)} in ${plugin.meta.package}, or build the model from plugins that have one; nothing was written`,
  });
}

/** Throws one ExportError listing every part of the model whose plugin has no `onnx` mapping. */
export function checkMappings(root: ResolvedNode): void {
  // A root layer that declares its own entries (`exports`, a seq2seq model) needs no mapping of its own.
  const ownEntries = (node: ResolvedNode) => node === root && typeof (node.plugin as { exports?: unknown }).exports === 'function';
  const missing = allNodes(root).filter((node) => !hasMapping(node.plugin) && !ownEntries(node));
  if (missing.length) throw missingMapping(missing);
}

/** A node's own weights by local parameter name. */
export function localWeights(node: ResolvedNode, weights: WeightMap): Readonly<Record<string, HostTensor>> {
  const local: Record<string, HostTensor> = {};
  for (const spec of ownParameters(node)) local[spec.name] = weights[node.path ? `${node.path}.${spec.name}` : spec.name] as HostTensor;
  return Object.freeze(local);
}

/** Runs a plugin's mapping, turning an unexpected error into an ExportError that names the plugin. */
function guarded<T>(node: ResolvedNode, run: () => T): T {
  try {
    return run();
  } catch (cause) {
    if (isUnfoldError(cause)) throw cause;
    throw new ExportError(`the ONNX mapping of ${describe(node)} failed`, { where: node.path || 'model', got: String((cause as Error)?.message ?? cause), fix: `this is a bug in ${node.plugin.meta.package}'s mapping for ${JSON.stringify(node.plugin.kind)}; report it there` }, { cause });
  }
}

function checkValue(env: MappingEnvironment, node: ResolvedNode, value: unknown, what: string): string {
  if (typeof value !== 'string' || !env.graph.knows(value)) {
    throw new ExportError(`the ONNX mapping of ${describe(node)} returned an unknown value as ${what}`, { where: node.path || 'model', expected: 'a value name the graph builder returned', got: JSON.stringify(value), fix: `fix the mapping in ${node.plugin.meta.package}` });
  }
  return value;
}

function checkResult(env: MappingEnvironment, node: ResolvedNode, result: SequenceOnnxResult): SequenceOnnxResult {
  const states = stateOf(node);
  const finalState = Array.isArray(result?.finalState) ? result.finalState : [];
  if (finalState.length !== states.length) {
    throw new ExportError(`the ONNX mapping of ${describe(node)} returned the wrong number of final states`, { where: node.path || 'model', expected: `${states.length} (${states.map((s) => s.name).join(', ') || 'none'})`, got: String(finalState.length), fix: `return one final state per entry of the plugin's state(), in that order` });
  }
  const outputs = checkValue(env, node, result.outputs, 'outputs');
  finalState.forEach((state, i) => checkValue(env, node, state, `final state ${states[i]?.name}`));
  return { outputs, finalState, readout: result.readout ?? 'sequence' };
}

export interface SequenceArguments {
  readonly input: string;
  readonly initialState: readonly string[];
  readonly reverse?: boolean;
}

/** Emits a cell (as a forward or reversed recurrence) or a layer over a time-major input. */
export function mapSequence(env: MappingEnvironment, node: ResolvedNode, args: SequenceArguments): SequenceOnnxResult {
  const plugin = node.plugin;
  const graph = viewFor(env, node);
  const weights = localWeights(node, env.weights);
  if (isRecurrence(plugin)) {
    const { onnx, onnxStep } = plugin;
    const reverse = args.reverse ?? false;
    const context = { graph, config: node.config, weights, input: args.input, initialState: args.initialState, sequenceLens: env.sequenceLens, reverse };
    if (!onnx && !onnxStep) throw missingMapping([node]);
    // A whole-sequence mapping (a native op) first; else the per-step mapping through the shared Scan.
    const result = guarded(node, () => (onnx ? onnx(context) : emitStepScan({ ...context, node, mapping: onnxStep as CellOnnxStepMapping<unknown> })));
    return keepStateWhenEmpty(env, node, checkResult(env, node, result), args.initialState);
  }
  if (isSequenceLayer(plugin)) {
    const onnx = plugin.onnx;
    if (!onnx) throw missingMapping([node]);
    if (args.reverse) {
      throw new ExportError(`cannot reverse ${describe(node)}`, { where: node.path || 'model', expected: 'a cell (only cells run reversed)', got: 'a layer', fix: 'reverse the cells inside the layer instead' });
    }
    const result = guarded(node, () =>
      onnx({
        graph,
        node,
        weights,
        input: args.input,
        initialState: args.initialState,
        sequenceLens: env.sequenceLens,
        sequence: (child, childArgs) => mapSequence(env, child, childArgs),
        head: (child, input) => mapHead(env, child, input),
        component: (child) => ({ graph: viewFor(env, child), config: child.config, weights: localWeights(child, env.weights) }),
      }),
    );
    return checkResult(env, node, result);
  }
  throw new ExportError(`${describe(node)} is not a sequence component`, { where: node.path || 'model', expected: 'a cell or a layer', got: plugin.family });
}

/** Emits a head over `input` (any leading axes). */
export function mapHead(env: MappingEnvironment, node: ResolvedNode, input: string): string {
  const plugin = node.plugin;
  if (!isMap(plugin)) {
    throw new ExportError(`${describe(node)} is not a head`, { where: node.path || 'model', expected: 'a head', got: plugin.family });
  }
  const onnx = plugin.onnx;
  if (!onnx) throw missingMapping([node]);
  const output = guarded(node, () => onnx({ graph: viewFor(env, node), config: node.config, weights: localWeights(node, env.weights), input }));
  return checkValue(env, node, output, 'output');
}
