import { FOREST_TENSORS } from '@unfold/core/interface';
import { checkTokenizer } from '@unfold/core/tokenizer';
import { treeTokenIds } from '@unfold/core/tree';
import { RuntimeError } from './errors';
import type { EntryInfo, OutputKind } from './info/unfold-info';

/**
 * An entry seen as a tree model (a file @unfold/onnx's exportTreeModel wrote): one `tree` input port
 * carried by the forest tensors (FOREST_TENSORS: nodes, children, order, level_offsets, roots) and the
 * vector outputs `output` [trees, O] and `node_outputs` [nodes, O]. Token models map each node's token to
 * its id with the tokenizer the file carries (`semantics.tokenizer`; the whole token, `<unk>` when absent),
 * or, without one, read tokens written as ids.
 */
export interface TreeView {
  /** Node inputs: token ids (a model with an embedding) or feature vectors. */
  readonly nodes: 'tokens' | 'features';
  /** The vocabulary size V, or the features per node I. */
  readonly inputSize: number;
  readonly outputSize: number;
  readonly outputKind: OutputKind;
  /** The children tensor's fixed width (an N-ary model's N), or null when any arity works. */
  readonly arity: number | null;
  /** Token → id from the file's tokenizer; null: tokens must be ids. */
  readonly tokenIds: ((token: string) => number) | null;
}

const views = new WeakMap<EntryInfo, TreeView | null>();

function tokenIdsOf(entry: EntryInfo, vocabulary: number): ((token: string) => number) | null {
  const tokenizer = entry.interface.semantics.tokenizer;
  if (!tokenizer) return null;
  try {
    const spec = checkTokenizer(tokenizer, 'semantics.tokenizer');
    return spec.tokens.length === vocabulary ? treeTokenIds(spec) : null;
  } catch {
    return null;
  }
}

function readView(entry: EntryInfo): TreeView | null {
  const { ports, inputs, semantics } = entry.interface;
  const [input, ...more] = ports.inputs;
  const output = ports.outputs.find((p) => p.tensor === FOREST_TENSORS.output);
  const perNode = ports.outputs.find((p) => p.tensor === FOREST_TENSORS.nodeOutputs);
  if (!input || more.length > 0 || input.kind !== 'tree' || input.tensor !== FOREST_TENSORS.nodes || !output || !perNode) return null;
  const nodes = inputs.find((t) => t.name === FOREST_TENSORS.nodes);
  const children = inputs.find((t) => t.name === FOREST_TENSORS.children);
  const width = children?.shape[1];
  const kind = nodes?.dtype === 'int32' ? 'tokens' : 'features';
  return {
    nodes: kind,
    inputSize: input.size,
    outputSize: output.size,
    outputKind: semantics.emits,
    arity: typeof width === 'number' && Number.isSafeInteger(width) && width > 0 ? width : null,
    tokenIds: kind === 'tokens' ? tokenIdsOf(entry, input.size) : null,
  };
}

/** The entry's tree view, or null when it is not a tree model. */
export function treeViewOf(entry: EntryInfo): TreeView | null {
  if (!views.has(entry)) views.set(entry, readView(entry));
  return views.get(entry) ?? null;
}

/** The entry's tree view; E_UNSUPPORTED when it has none. */
export function treeOf(entry: EntryInfo, where: string): TreeView {
  const view = treeViewOf(entry);
  if (!view) throw new RuntimeError('E_UNSUPPORTED', 'this entry is not a tree model', { where, expected: 'a tree input port (a file exported from a recursive model)', got: entry.interface.ports.inputs.map((p) => `${p.name} (${p.kind})`).join(', ') || 'no input port' });
  return view;
}
