import { checkWeights, ExportError, resolveModel, type ModelData, type Registry } from '@unfold/core';
import { buildInputs, buildOutputs } from './boundary';
import { describeInterface, interfaceNames, type InterfaceOptions } from './interface';
import { mappingEnvironment } from './environment';
import { checkMappings, mapSequence } from './mapping';
import { modelMetadata } from './metadata';
import { ModelGraph, type OnnxModelBuilder } from './model-graph';
import { assembleModel, encodeModel } from './model-proto';

export interface ExportOptions extends InterfaceOptions {
  /** Name of the main graph (default: the root's kind). */
  readonly name?: string;
  /** The model's doc_string. */
  readonly docString?: string;
  /** Extra `metadata_props` entries (keys without the `unfold.` prefix). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * Exports a model whose root is a sequence component (a cell, or a layer such as recurrent, bidirectional,
 * stacked or sequence-model) to the bytes of one self-describing ONNX file (opset 17, IR 8).
 *
 * The interface (see interface.ts and the package README): `input` [batch, time, I] float32 (or [batch,
 * time] int32 token ids), `sequence_lens` int32, `state_in.<path>` per state; `output` [batch, time, O]
 * ([batch, 1, O] for a last-step readout) and `state_out.<path>` [batch, size]. Everything is checked
 * (spec, weights, every plugin's mapping) before a byte is produced; an unsupported model is an
 * ExportError naming the plugin and what it lacks.
 */
export function exportModel(registry: Registry, model: ModelData, options: ExportOptions = {}): Uint8Array {
  const root = resolveModel(registry, model.spec);
  if (root.plugin.family !== 'cell' && root.plugin.family !== 'layer') {
    throw new ExportError(`cannot export a ${root.plugin.family} on its own`, { where: 'model', expected: 'a sequence component at the root: a cell, recurrent, bidirectional, stacked or sequence-model', got: `${root.plugin.family} ${JSON.stringify(root.plugin.kind)}`, fix: 'wrap it: { kind: "sequence-model", children: { body: ..., output: ... } }' });
  }
  checkWeights(root, model.weights, 'exportModel weights');
  checkMappings(root);
  const graph = new ModelGraph(interfaceNames(root, options));
  const boundary = buildInputs(graph, root, options);
  const result = mapSequence(mappingEnvironment(graph, model.weights, boundary.sequenceLens), root, { input: boundary.input, initialState: boundary.initialState });
  const described = describeInterface(root, options, result.readout ?? 'sequence');
  buildOutputs(graph, described, result);
  const metadata = modelMetadata(root, model.spec, described, options.metadata);
  return serializeGraph(graph, { name: options.name ?? root.plugin.kind, docString: options.docString ?? `${root.plugin.kind}: ${root.plugin.summary}`, metadata });
}

/** The bytes of a model whose main graph is `graph` (IR 8, opset 17, plus version 1 of any custom domain used). */
export function serializeGraph(graph: OnnxModelBuilder, options: { readonly name: string; readonly docString?: string; readonly metadata?: Readonly<Record<string, string>> }): Uint8Array {
  if (!(graph instanceof ModelGraph)) {
    throw new ExportError('not a model builder from this package', { where: 'serializeGraph', expected: 'a builder made by createModelBuilder', got: typeof graph, fix: 'make the graph with createModelBuilder from the same @unfold/onnx build' });
  }
  const docString = options.docString ?? '';
  return encodeModel(assembleModel(graph.finish(options.name, docString), options.metadata ?? {}, graph.domains(), docString));
}
