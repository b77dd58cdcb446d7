import { checkWeights, ExportError, isSequenceComponent, isSequenceLayer, portsOf, resolveModel, semanticsOf, stateOf, type ModelData, type ModelExports, type Registry, type ResolvedNode } from '@unfold/core';
import { INPUT_NAME, MAIN_ENTRY, OUTPUT_NAME, sequenceTasks, type EntryInterface, type EntryManifest, type InterfaceSemantics } from '@unfold/core/interface';
import { buildEntry } from './build-entry';
import { interfaceStates } from './describe-entry';
import { checkEntries, type EntryOptions, type ExportEntry } from './entry';
import type { InterfaceOptions } from './interface';
import { checkMappings } from './mapping';
import { checkExtraMetadata, modelMetadata } from './metadata';
import { serializeGraph } from './serialize';

/**
 * A model's exported graphs. `mainEntry` is every model's sequence interface (what `exportModel` writes);
 * `exportEntries` exports any list of entries: one entry is one standalone file as before, several are
 * one file per entry (`<entry>.onnx`) that each carry the same manifest (`unfold.entries`) and their own
 * interface (`unfold.interface`); `@unfold/onnx/node`'s `exportEntriesFolder` writes them as one folder.
 */

/** The root as a sequence component, or an ExportError saying how to wrap it. */
export function sequenceRoot(registry: Registry, model: ModelData): ResolvedNode {
  const root = resolveModel(registry, model.spec);
  if (!isSequenceComponent(root)) {
    throw new ExportError(`cannot export a ${root.plugin.family} on its own`, { where: 'model', expected: 'a sequence component at the root: a cell, recurrent, bidirectional, stacked or sequence-model', got: `${root.plugin.family} ${JSON.stringify(root.plugin.kind)}`, fix: 'wrap it: { kind: "sequence-model", children: { body: ..., output: ... } }' });
  }
  return root;
}

/** The model's declared semantics as the interface writes them (what only training reads is left out). */
export function interfaceSemantics(root: ResolvedNode): InterfaceSemantics {
  const { readout, emits, vocabulary, tokenizer } = semanticsOf(root);
  return { readout, emits, vocabulary, tokenizer };
}

/**
 * The `main` entry: the root's primary input (`input` [batch, time, I] or token ids [batch, time], with
 * `sequence_lens`) and output (`output` [batch, time, O] or [batch, 1, O]), and every state of the model
 * (`state_in.<path>` [batch_or_1, ...shape] → `state_out.<path>` [batch, ...shape]). Its tasks follow from
 * the interface (`sequenceTasks`). Further output ports (a bidirectional layer's `forward` and `backward`
 * with merge "none") are not exported: layer mappings return the primary output only. A model that needs
 * further inputs needs entries of its own.
 */
export function mainEntry(root: ResolvedNode, options: InterfaceOptions = {}): ExportEntry {
  const ports = portsOf(root);
  const [input, output] = [ports.inputs[0], ports.outputs[0]];
  if (isSequenceLayer(root.plugin) && root.plugin.exports) {
    throw new ExportError(`a ${root.plugin.kind} model exports several graphs, not one`, { where: root.path || 'model', expected: 'a model with one sequence interface for a single file', got: `entries ${root.plugin.exports(root).entries.map((e) => e.name).join(', ')}`, fix: 'export it with exportModelEntries (or exportModelFolder from @unfold/onnx/node, which writes the folder)' });
  }
  if (!input || !output || ports.inputs.length > 1 || input.kind === 'tree' || input.kind === 'vector' || output.kind !== 'features') {
    throw new ExportError('the main entry takes one sequence input port and returns a features output port', { where: root.path || 'model', expected: 'a primary input of features or tokens, and a primary output of features', got: `inputs ${ports.inputs.map((p) => `${p.name}:${p.kind}`).join(', ')}; outputs ${ports.outputs.map((p) => `${p.name}:${p.kind}`).join(', ')}`, fix: 'export the model with exportEntries and entries of your own' });
  }
  const semantics = interfaceSemantics(root);
  const partial: Omit<ExportEntry, 'tasks' | 'build'> = {
    name: MAIN_ENTRY,
    inputs: [{ ...input, tensor: INPUT_NAME, lengths: options.sequenceLens !== false }],
    outputs: [{ ...output, tensor: OUTPUT_NAME }],
    states: stateOf(root),
    stateInputs: options.initialStates !== false,
  };
  const tasks = sequenceTasks({ states: interfaceStates({ ...partial, tasks: [], build: () => ({ outputs: {}, finalState: [] }) }), semantics, inputKind: input.kind, inputSize: input.size, outputSize: output.size });
  return {
    ...partial,
    tasks,
    build(context) {
      const at = context.inputs[input.name];
      const result = context.sequence(context.root, { input: at?.value as string, lengths: at?.lengths as string, initialState: context.initialState });
      return { outputs: { [output.name]: { value: result.outputs, readout: result.readout ?? 'sequence' } }, finalState: result.finalState };
    },
  };
}

export interface ExportedEntry {
  readonly name: string;
  /** The file name inside the model's folder (`<entry>.onnx`). */
  readonly file: string;
  readonly interface: EntryInterface;
  readonly bytes: Uint8Array;
}

export interface ExportedEntries {
  /** The manifest every file carries; null for a single entry (one standalone file, no manifest). */
  readonly manifest: EntryManifest | null;
  readonly entries: readonly ExportedEntry[];
}

/** What a model exports: its root's own entries and tasks (`LayerPlugin.exports`: a seq2seq model's `encoder` and `decoder_step`), else its `main` entry. */
export function modelExports(root: ResolvedNode, options: InterfaceOptions = {}): ModelExports {
  if (isSequenceLayer(root.plugin) && root.plugin.exports) return root.plugin.exports(root);
  return { entries: [mainEntry(root, options)], tasks: [] };
}

/** Exports a model with the entries it declares (`modelExports`): one standalone file's bytes for `main`, one per entry otherwise. */
export function exportModelEntries(registry: Registry, model: ModelData, options: Omit<EntryOptions, 'tasks'> & InterfaceOptions = {}): ExportedEntries {
  const declared = modelExports(sequenceRoot(registry, model), options);
  return exportEntries(registry, model, declared.entries, { ...options, tasks: declared.tasks });
}

/**
 * Exports the given entries of a model (`entries` may be a function of the resolved root, e.g.
 * `(root) => [encoderEntry(root), stepEntry(root)]`). Everything is checked (spec, weights, every plugin's
 * mapping, every entry's declaration and result) before a byte is produced.
 */
export function exportEntries(registry: Registry, model: ModelData, entries: readonly ExportEntry[] | ((root: ResolvedNode) => readonly ExportEntry[]), options: EntryOptions = {}): ExportedEntries {
  const root = sequenceRoot(registry, model);
  checkWeights(root, model.weights, 'exportEntries weights');
  checkMappings(root);
  checkExtraMetadata(options.metadata ?? {}, 'exportEntries options.metadata');
  const list = typeof entries === 'function' ? entries(root) : entries;
  checkEntries(list, options);
  const manifest: EntryManifest | null = list.length > 1 ? { version: 2, entries: list.map((e) => ({ name: e.name, file: `${e.name}.onnx`, tasks: [...e.tasks] })), tasks: (options.tasks ?? []).map((t) => ({ name: t.name, entries: [...t.entries] })) } : null;
  const semantics = interfaceSemantics(root);
  const base = options.name ?? root.plugin.kind;
  const exported = list.map((entry): ExportedEntry => {
    const { graph, described } = buildEntry(root, model.weights, entry, semantics);
    const metadata = modelMetadata(root, model.spec, described, options.metadata, manifest ?? undefined);
    const name = manifest ? `${base}.${entry.name}` : base;
    const bytes = serializeGraph(graph, { name, docString: entry.doc ?? `${root.plugin.kind}: ${root.plugin.summary}${manifest ? ` (entry ${entry.name})` : ''}`, metadata });
    return { name: entry.name, file: `${entry.name}.onnx`, interface: described, bytes };
  });
  return { manifest, entries: exported };
}
