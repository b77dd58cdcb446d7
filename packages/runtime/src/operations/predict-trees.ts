import { FOREST_TENSORS } from '@unfold/core/interface';
import { describeValue, RuntimeError } from '../errors';
import { checkLimit, type RuntimeLimits } from '../limits';
import { treeFeeds } from '../tree-feeds';
import type { TreeView } from '../tree-view';
import type { LoadedEntry, OperationResult } from './operation';

/**
 * `predict` on a tree model: a batch of trees → each tree's root output, and every node's output when asked.
 *
 *   { "trees": ["(+ 1 (* 2 3))", {"token": "-", "children": [{"token": "4"}, {"token": "1"}]}], "nodes": true }
 *   → { "outputs": [[…O], […O]],
 *       "nodes": [[{ "path": "trees[0].children[0]", "output": […O] }, …, { "path": "trees[0]", "output": […] }], …] }
 *
 * The whole forest is one onnxruntime call (the file's Loop over heights). `nodes` lists each tree's nodes
 * in post-order (children before their parent, the root last), each with its path in the request.
 */
const FIELDS = ['trees', 'nodes'] as const;

function requestError(where: string, summary: string, expected: string, got: string, fix?: string): RuntimeError {
  return new RuntimeError('E_REQUEST', summary, { where, expected, got, ...(fix ? { fix } : {}) });
}

function readFields(request: unknown): { readonly trees: unknown; readonly nodes: boolean } {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) throw requestError('request', 'the request must be an object', '{ "trees": [...], "nodes"?: true }', describeValue(request));
  const record = request as Record<string, unknown>;
  const unknown = Object.keys(record).find((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown !== undefined) throw requestError(`request.${unknown}`, 'unknown field', 'one of "trees", "nodes"', JSON.stringify(unknown), unknown === 'inputs' ? 'this is a tree model: send "trees" (JSON trees or bracketed strings)' : 'remove the field or fix its spelling');
  if (record.trees === undefined) throw requestError('request.trees', 'missing field', 'a list of trees', 'nothing');
  const nodes = record.nodes ?? false;
  if (typeof nodes !== 'boolean') throw requestError('request.nodes', 'nodes must be true or false', 'a boolean', describeValue(record.nodes));
  return { trees: record.trees, nodes };
}

function rows(data: Float32Array, count: number, size: number): number[][] {
  return Array.from({ length: count }, (_, r) => Array.from(data.subarray(r * size, (r + 1) * size)));
}

export async function predictTrees(label: string, entry: LoadedEntry, view: TreeView, request: unknown, limits: RuntimeLimits): Promise<OperationResult> {
  const fields = readFields(request);
  const { forest, feeds } = treeFeeds(fields.trees, view, limits);
  const O = view.outputSize;
  const B = forest.roots.length;
  checkLimit('maxOutputElements', (B + (fields.nodes ? forest.size : 0)) * O, limits, fields.nodes ? 'nodes' : 'trees', 'numbers in the answer');
  const results = await entry.session.run(feeds);
  const take = (name: string, count: number): Float32Array => {
    const value = results[name];
    if (!value || !(value.data instanceof Float32Array) || value.data.length !== count * O) throw new RuntimeError('E_INFERENCE', `the model returned no ${name} of [${count}, ${O}]`, { where: label });
    return value.data;
  };
  const outputs = rows(take(FOREST_TENSORS.output, B), B, O);
  if (!fields.nodes) return { outputs };
  const perNode = rows(take(FOREST_TENSORS.nodeOutputs, forest.size), forest.size, O);
  const nodes: { path: string; output: number[] }[][] = Array.from({ length: B }, () => []);
  perNode.forEach((output, n) => nodes[forest.treeOf[n] as number]?.push({ path: forest.paths[n] as string, output }));
  return { outputs, nodes };
}
