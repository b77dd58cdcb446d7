import type { EntryManifest } from '@unfold/core/interface';
import type { EntryInfo } from './info/unfold-info';
import { resolveLimits } from './limits';
import type { CallOptions, EntryDescription, ModelDescription, PredictResult, RolloutResult, StreamResult, UnfoldModel } from './model';
import { entryOperations, modelOperations, runOperation, type EntryModel } from './operations/dispatch';
import type { LoadedEntry } from './operations/operation';
import type { GraphValue, ModelInfo } from './proto/model-info';
import { treeViewOf } from './tree-view';

/**
 * A model exported by @unfold/onnx, served from its own metadata: one or more entries (each its own
 * session), and the operations their declared tasks name. Callers send batches of variable-length
 * sequences as nested arrays, and padding, lengths, fresh states and normalisation are handled by the
 * operation modules (operations/). Every value is checked before onnxruntime sees it.
 */
export interface ServedEntry extends LoadedEntry {
  /** The entry file's graph values and metadata, as read before its session opened. */
  readonly graph: ModelInfo;
}

/** The interface's doc of each value (the graph's own docs are empty in unfold exports). */
function withDocs(values: readonly GraphValue[], documented: readonly { readonly name: string; readonly doc: string }[]): GraphValue[] {
  const docs = new Map(documented.map((t) => [t.name, t.doc]));
  return values.map((v) => ({ ...v, doc: v.doc || (docs.get(v.name) ?? '') }));
}

function describeEntry(entry: ServedEntry, label: string, several: boolean): EntryDescription {
  const info: EntryInfo = entry.info;
  return {
    name: info.name,
    tasks: info.tasks,
    operations: entryOperations(entry, label),
    ports: info.interface.ports,
    semantics: info.interface.semantics,
    states: info.interface.states.map((s) => ({ path: s.path, shape: s.shape, size: s.size })),
    ...(several ? { inputs: withDocs(entry.graph.inputs, info.interface.inputs), outputs: withDocs(entry.graph.outputs, info.interface.outputs) } : {}),
  };
}

interface ServedModel extends EntryModel {
  readonly entries: readonly ServedEntry[];
}

export function describeUnfold(model: ServedModel): ModelDescription {
  const first = model.entries[0] as ServedEntry;
  const info = first.info;
  const sequence = info.sequence;
  const tree = treeViewOf(info);
  const several = model.entries.length > 1;
  return {
    name: model.name,
    format: 'unfold',
    operations: modelOperations(model),
    producer: info.producer,
    inputs: withDocs(first.graph.inputs, info.interface.inputs),
    outputs: withDocs(first.graph.outputs, info.interface.outputs),
    metadata: info.metadata,
    ...(sequence
      ? {
          sequence: {
            inputKind: sequence.inputKind,
            inputSize: sequence.inputSize,
            outputSize: sequence.outputSize,
            outputKind: sequence.outputKind,
            readout: sequence.readout,
            states: sequence.states.map((s) => ({ path: s.path, size: s.size })),
            normalisation: sequence.normalisation,
            window: sequence.window,
            spec: sequence.spec,
          },
        }
      : {}),
    ...(tree ? { tree: { nodes: tree.nodes, inputSize: tree.inputSize, outputSize: tree.outputSize, outputKind: tree.outputKind, arity: tree.arity, tokenizer: tree.tokenIds !== null } } : {}),
    entries: model.entries.map((e) => describeEntry(e, several ? `${model.name}/${e.info.name}` : model.name, several)),
    ...(several ? { tasks: model.manifest?.tasks ?? [] } : {}),
  };
}

/** An unfold model over its entries' sessions (one entry for a single-file model). */
export function createUnfoldModel(name: string, entries: readonly ServedEntry[], manifest: EntryManifest | null): UnfoldModel {
  const model: ServedModel = { name, entries, manifest };
  const description = Object.freeze(describeUnfold(model));
  const run = (operation: string, request: unknown, options: CallOptions = {}) => runOperation(model, operation, request, resolveLimits(options.limits), options.onEvent);
  return {
    format: 'unfold',
    name,
    entries: Object.freeze(entries.map((e) => e.info.name)),
    describe: () => description,
    release: async () => {
      await Promise.all(entries.map((e) => e.session.release()));
    },
    run,
    predict: async (request, options) => (await run('predict', request, options)) as unknown as PredictResult,
    stream: async (request, options) => (await run('stream', request, options)) as unknown as StreamResult,
    rollout: async (request, options) => (await run('rollout', request, options)) as unknown as RolloutResult,
  };
}
