import { ExportError } from '@unfold/core';
import { ModelGraph, type OnnxModelBuilder } from './model-graph';
import { assembleModel, encodeModel } from './model-proto';

/** The bytes of a model whose main graph is `graph` (IR 8, opset 17, plus version 1 of any custom domain used). */
export function serializeGraph(graph: OnnxModelBuilder, options: { readonly name: string; readonly docString?: string; readonly metadata?: Readonly<Record<string, string>> }): Uint8Array {
  if (!(graph instanceof ModelGraph)) {
    throw new ExportError('not a model builder from this package', { where: 'serializeGraph', expected: 'a builder made by createModelBuilder', got: typeof graph, fix: 'make the graph with createModelBuilder from the same @unfold/onnx build' });
  }
  const docString = options.docString ?? '';
  return encodeModel(assembleModel(graph.finish(options.name, docString), options.metadata ?? {}, graph.domains(), docString));
}
