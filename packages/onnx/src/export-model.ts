import { checkWeights, type ModelData, type Registry, type ResolvedNode } from '@unfold/core';
import type { EntryInterface } from '@unfold/core/interface';
import { buildEntry } from './build-entry';
import { describeEntry } from './describe-entry';
import { interfaceSemantics, mainEntry, sequenceRoot } from './export-entries';
import { exportTreeRoot, isTreeRoot } from './export-tree';
import type { InterfaceOptions } from './interface';
import { checkMappings } from './mapping';
import { checkExtraMetadata, modelMetadata } from './metadata';
import { serializeGraph } from './serialize';

export { serializeGraph } from './serialize';

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
 * stacked or sequence-model) to the bytes of one self-describing ONNX file (opset 17, IR 8): its `main`
 * entry (export-entries.ts).
 *
 * The interface (interface v2, see the package README): `input` [batch, time, I] float32 (or [batch,
 * time] int32 token ids), `sequence_lens` int32, `state_in.<path>` [batch_or_1, ...shape] per state;
 * `output` [batch, time, O] ([batch, 1, O] for a last-step readout) and `state_out.<path>` [batch,
 * ...shape]; its ports, declared semantics and tasks are in `unfold.interface`. Everything is checked
 * (spec, weights, every plugin's mapping) before a byte is produced; an unsupported model is an
 * ExportError naming the plugin and what it lacks. A root reading a tree port (a recursive network) is
 * written with the forest interface instead (export-tree.ts).
 */
export function exportModel(registry: Registry, model: ModelData, options: ExportOptions = {}): Uint8Array {
  const root = sequenceRoot(registry, model);
  if (isTreeRoot(root)) return exportTreeRoot(root, model, options);
  checkWeights(root, model.weights, 'exportModel weights');
  checkMappings(root);
  checkExtraMetadata(options.metadata ?? {}, 'exportModel options.metadata');
  const { graph, described } = buildEntry(root, model.weights, mainEntry(root, options), interfaceSemantics(root));
  const metadata = modelMetadata(root, model.spec, described, options.metadata);
  return serializeGraph(graph, { name: options.name ?? root.plugin.kind, docString: options.docString ?? `${root.plugin.kind}: ${root.plugin.summary}`, metadata });
}

/** The interface `exportModel` writes for a resolved model (its `main` entry) whose output is read out as `readout`. */
export function describeInterface(root: ResolvedNode, options: InterfaceOptions = {}, readout: 'sequence' | 'last' = 'sequence'): EntryInterface {
  const entry = mainEntry(root, options);
  return describeEntry(entry, interfaceSemantics(root), Object.fromEntries(entry.outputs.map((port) => [port.name, readout])));
}
