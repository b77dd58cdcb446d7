import { ExportError, int32Constant, int64Constant, isUnfoldError, zerosConstant, type ResolvedNode, type WeightMap } from '@unfold/core';
import type { EntryInterface, InterfaceSemantics } from '@unfold/core/interface';
import { buildInputs, buildOutputs, entryNames, outputReadouts } from './boundary';
import { describeEntry } from './describe-entry';
import { nodeAt, type EntryContext, type EntryResult, type ExportEntry } from './entry';
import { mappingEnvironment, viewFor, type MappingEnvironment } from './environment';
import { GraphWriter } from './graph-builder';
import { localWeights, mapHead, mapSequence } from './mapping';
import { ModelGraph } from './model-graph';

/**
 * Builds one entry's graph: its boundary (buildInputs), the nodes its `build` emits through the model's
 * plugin mappings, its outputs (buildOutputs), and its interface. The same ModelGraph machinery serves
 * every entry; each entry is its own graph (its own file).
 */
export interface BuiltEntry {
  readonly graph: ModelGraph;
  readonly described: EntryInterface;
}

function buildError(entry: ExportEntry, message: string, details: { expected?: string; got: string; fix?: string }): ExportError {
  return new ExportError(message, { where: `entry ${JSON.stringify(entry.name)}`, ...details });
}

function context(graph: ModelGraph, root: ResolvedNode, weights: WeightMap, entry: ExportEntry, boundary: ReturnType<typeof buildInputs>): EntryContext {
  const environments = new Map<string, MappingEnvironment>();
  const environment = (lengths: string): MappingEnvironment => {
    let made = environments.get(lengths);
    if (!made) environments.set(lengths, (made = mappingEnvironment(graph, weights, lengths)));
    return made;
  };
  /** `step`, `head` and `component` over `writer` (the entry's graph, or a subgraph of it). */
  const emitters = (writer: GraphWriter, environmentFor: (lengths: string) => MappingEnvironment): Pick<EntryContext, 'step' | 'head' | 'component'> => {
    let stepLengths: string | undefined;
    return {
      step(node, input) {
        stepLengths ??= writer.node('Expand', [writer.constant('step_length', int32Constant([1])), boundary.batch], {}, { stem: 'step_lengths' })[0] as string;
        const axis = writer.constant('step_axis', int64Constant([0]));
        const [sequence] = writer.node('Unsqueeze', [input.input, axis], {}, { stem: `${node.path || 'model'}.step_input` }) as [string];
        const result = mapSequence(environmentFor(stepLengths), node, { input: sequence, initialState: input.state });
        const [output] = writer.node('Squeeze', [result.outputs, axis], {}, { stem: `${node.path || 'model'}.step_output` }) as [string];
        return { output, state: result.finalState };
      },
      head: (node, input) => mapHead(environmentFor(''), node, input),
      component: (node) => ({ graph: viewFor(environmentFor(''), node), config: node.config, weights: localWeights(node, weights) }),
    };
  };
  return {
    graph,
    root,
    inputs: boundary.inputs,
    initialState: boundary.initialState,
    batch: boundary.batch,
    zeros(shape) {
      const row = graph.constant('zeros', zerosConstant([1, ...shape]));
      const [full] = graph.node('Concat', [boundary.batch, graph.constant('zeros_dims', int64Constant([...shape]))], { axis: 0 }, { stem: 'zeros_shape' }) as [string];
      return graph.node('Expand', [row, full], {}, { stem: 'zeros' })[0] as string;
    },
    node: (path) => nodeAt(root, path, entry.name),
    sequence: (node, input) => mapSequence(environment(input.lengths), node, { input: input.input, initialState: input.initialState, ...(input.reverse ? { reverse: true } : {}) }),
    ...emitters(graph, environment),
    within(subgraph) {
      if (!(subgraph instanceof GraphWriter)) throw buildError(entry, 'within() takes a subgraph builder of this entry', { expected: 'the builder graph.subgraph(...) hands its body', got: typeof subgraph });
      const own = new Map<string, MappingEnvironment>();
      return emitters(subgraph, (lengths) => {
        let made = own.get(lengths);
        if (!made) own.set(lengths, (made = mappingEnvironment(subgraph, weights, lengths)));
        return made;
      });
    },
  };
}

function checkResult(graph: ModelGraph, entry: ExportEntry, result: EntryResult): EntryResult {
  for (const port of entry.outputs) {
    const given = result?.outputs?.[port.name];
    const value = typeof given === 'object' && given !== null ? given.value : given;
    if (typeof value !== 'string' || !graph.knows(value)) throw buildError(entry, `the entry's build returned no value for output port ${JSON.stringify(port.name)}`, { expected: 'a value name the graph builder returned', got: JSON.stringify(given) });
    if (typeof given === 'object' && port.kind === 'vector') throw buildError(entry, `vector port ${JSON.stringify(port.name)} has no readout`, { expected: 'a value name [B, size]', got: JSON.stringify(given) });
  }
  const finalState = Array.isArray(result.finalState) ? result.finalState : [];
  if (finalState.length !== entry.states.length || !finalState.every((s) => graph.knows(s))) {
    throw buildError(entry, "the entry's build returned the wrong final states", { expected: `${entry.states.length} value names (${entry.states.map((s) => s.name).join(', ') || 'none'})`, got: JSON.stringify(finalState) });
  }
  return result;
}

export function buildEntry(root: ResolvedNode, weights: WeightMap, entry: ExportEntry, semantics: InterfaceSemantics): BuiltEntry {
  const graph = new ModelGraph(entryNames(entry));
  const boundary = buildInputs(graph, entry);
  let result: EntryResult;
  try {
    result = entry.build(context(graph, root, weights, entry, boundary));
  } catch (cause) {
    if (isUnfoldError(cause)) throw cause;
    throw buildError(entry, "the entry's build failed", { got: String((cause as Error)?.message ?? cause), fix: 'check the entry definition passed to exportEntries' });
  }
  checkResult(graph, entry, result);
  const described = describeEntry(entry, semantics, outputReadouts(entry, result));
  buildOutputs(graph, entry, described, result);
  return { graph, described };
}

