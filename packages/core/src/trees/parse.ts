import { TreeError } from './errors';

/**
 * Tree sources, as callers write them, and their parsing into one node form.
 *
 *   JSON        { "token": "+" | "features": [..], "children": [ …trees… ], "label"?: number }
 *   bracketed   "(+ 1 (* 2 3))": a parenthesised node is its head token then its children; a bare word is
 *               a leaf. Words are whitespace-separated; the model's tokenizer maps them to ids.
 *   indexed     { "nodes": [{ "token" | "features", "label"? }, …], "children": [[1, 2], [-1], …], "root"?: 0 }
 *               child lists of indices into `nodes`, −1 for an empty position (N-ary); the form in which
 *               cycles, dangling and out-of-range indices can occur, so it is checked for them.
 *
 * Paths name nodes for errors: `trees[2].children[0]` (JSON, bracketed) or `trees[2].nodes[4]` (indexed).
 */
export interface TreeJson {
  readonly token?: string | number;
  readonly features?: readonly number[];
  readonly children?: readonly TreeJson[];
  readonly label?: number;
}

export interface IndexedTree {
  readonly nodes: readonly { readonly token?: string | number; readonly features?: readonly number[]; readonly label?: number }[];
  readonly children: readonly (readonly number[])[];
  readonly root?: number;
}

export type TreeSource = string | TreeJson | IndexedTree;

/** A parsed node; `children` may hold `null` for an empty position of an indexed N-ary node. */
export interface TreeNode {
  readonly token?: string;
  readonly features?: readonly number[];
  readonly label?: number;
  readonly children: readonly (TreeNode | null)[];
  readonly path: string;
}

export interface TreeLimits {
  /** Most nodes in one forest (default 100 000). */
  readonly maxNodes?: number;
  /** Deepest node depth (the root is at depth 0; default 256). */
  readonly maxDepth?: number;
}

export const DEFAULT_MAX_NODES = 100_000;
export const DEFAULT_MAX_DEPTH = 256;

const WORD = /\(|\)|[^\s()]+/g;

/** Trees this module parsed: only these skip parsing in flattenForest (a request cannot pose as one). */
const PARSED = new WeakSet<TreeNode>();

function parsed(node: TreeNode): TreeNode {
  PARSED.add(node);
  return node;
}

/** True for a tree returned by parseTree or parseBracketed (not for a look-alike object from JSON). */
export function isParsedTree(value: unknown): value is TreeNode {
  return typeof value === 'object' && value !== null && PARSED.has(value as TreeNode);
}

/** Parses the bracketed form. Errors name the node's path and the character offset. */
export function parseBracketed(text: string, path: string, maxDepth = DEFAULT_MAX_DEPTH): TreeNode {
  const words = [...text.matchAll(WORD)].map((m) => ({ word: m[0], at: m.index ?? 0 }));
  if (words.length === 0) throw new TreeError('empty', path, 'empty tree', { expected: 'a word or "(head child …)"', got: JSON.stringify(text) });
  let position = 0;
  const parseNode = (where: string, depth: number): TreeNode => {
    if (depth > maxDepth) throw new TreeError('too-deep', where, 'tree too deep', { expected: `depth <= ${maxDepth}`, got: `a node at depth ${depth}` });
    const item = words[position];
    if (!item) throw new TreeError('syntax', where, 'unexpected end of tree', { expected: 'a word or "("', got: 'the end of the text' });
    position += 1;
    if (item.word === ')') throw new TreeError('syntax', where, 'unexpected ")"', { expected: 'a word or "("', got: `")" at character ${item.at}` });
    if (item.word !== '(') return { token: item.word, children: [], path: where };
    const head = words[position];
    if (!head || head.word === '(' || head.word === ')') throw new TreeError(head?.word === ')' ? 'empty' : 'syntax', where, 'node without a head word', { expected: '"(head child …)"', got: head ? `"${head.word}" at character ${head.at}` : 'the end of the text' });
    position += 1;
    const children: TreeNode[] = [];
    for (;;) {
      const next = words[position];
      if (!next) throw new TreeError('syntax', where, 'unclosed "("', { expected: '")"', got: 'the end of the text', fix: 'balance the parentheses' });
      if (next.word === ')') {
        position += 1;
        return { token: head.word, children, path: where };
      }
      children.push(parseNode(`${where}.children[${children.length}]`, depth + 1));
    }
  };
  const node = parseNode(path, 0);
  const rest = words[position];
  if (rest) throw new TreeError('syntax', path, 'text after the tree', { expected: 'one tree', got: `"${rest.word}" at character ${rest.at}`, fix: 'wrap several trees in a list' });
  return parsed(node);
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nodeFields(value: Readonly<Record<string, unknown>>, where: string): { token?: string; features?: readonly number[]; label?: number } {
  const { token, features, label } = value;
  const out: { token?: string; features?: readonly number[]; label?: number } = {};
  if (token !== undefined) {
    if (typeof token !== 'string' && typeof token !== 'number') throw new TreeError('bad-node', where, 'bad token', { expected: 'a string or number', got: JSON.stringify(token) });
    out.token = String(token);
  }
  if (features !== undefined) {
    if (!Array.isArray(features) || !features.every((v) => typeof v === 'number' && Number.isFinite(v))) throw new TreeError('bad-node', where, 'bad features', { expected: 'an array of finite numbers', got: JSON.stringify(features).slice(0, 80) });
    out.features = features as number[];
  }
  if (label !== undefined && label !== null) {
    if (typeof label !== 'number' || !Number.isFinite(label)) throw new TreeError('bad-node', where, 'bad label', { expected: 'a finite number', got: JSON.stringify(label) });
    out.label = label;
  }
  if (out.token === undefined && out.features === undefined) throw new TreeError('bad-node', where, 'node has neither token nor features', { expected: '{"token": …} or {"features": [..]}', got: JSON.stringify(Object.keys(value)) });
  return out;
}

function parseJson(value: TreeJson, where: string, depth: number, maxDepth: number): TreeNode {
  if (!isObject(value)) throw new TreeError(value === null || value === undefined ? 'empty' : 'bad-node', where, 'not a tree node', { expected: 'an object {"token", "children"}', got: JSON.stringify(value)?.slice(0, 80) ?? 'undefined' });
  if (depth > maxDepth) throw new TreeError('too-deep', where, 'tree too deep', { expected: `depth <= ${maxDepth}`, got: `a node at depth ${depth}` });
  const fields = nodeFields(value, where);
  const raw = value.children ?? [];
  if (!Array.isArray(raw)) throw new TreeError('bad-node', where, 'children is not a list', { expected: 'an array of trees', got: JSON.stringify(raw).slice(0, 80) });
  const children = raw.map((child, k) => parseJson(child as TreeJson, `${where}.children[${k}]`, depth + 1, maxDepth));
  return { ...fields, children, path: where };
}

/**
 * The indexed form: every index in [−1, n); from the root, no node reached twice (a second parent or a
 * way back, the latter a cycle); every node reached (else it dangles).
 */
function parseIndexed(value: IndexedTree, where: string, maxDepth: number): TreeNode {
  const { nodes, children } = value;
  if (!Array.isArray(nodes) || nodes.length === 0) throw new TreeError('empty', where, 'empty tree', { expected: 'at least one node', got: JSON.stringify(nodes)?.slice(0, 80) ?? 'undefined' });
  if (!Array.isArray(children) || children.length !== nodes.length) throw new TreeError('bad-node', `${where}.children`, 'one child list per node needed', { expected: `${nodes.length} lists`, got: Array.isArray(children) ? `${children.length}` : typeof children });
  const n = nodes.length;
  const root = value.root ?? 0;
  if (!Number.isInteger(root) || root < 0 || root >= n) throw new TreeError('out-of-range', `${where}.root`, 'root index out of range', { expected: `an integer in [0, ${n})`, got: String(root) });
  const state = new Uint8Array(n); // 0 unseen, 1 on the current path, 2 done
  const build = (index: number, depth: number): TreeNode => {
    const at = `${where}.nodes[${index}]`;
    if (depth > maxDepth) throw new TreeError('too-deep', at, 'tree too deep', { expected: `depth <= ${maxDepth}`, got: `a node at depth ${depth}` });
    state[index] = 1;
    const list = children[index];
    if (!Array.isArray(list)) throw new TreeError('bad-node', `${where}.children[${index}]`, 'child list is not an array', { expected: 'an array of indices, −1 for none', got: JSON.stringify(list) });
    const kids = list.map((child, k): TreeNode | null => {
      const slot = `${where}.children[${index}][${k}]`;
      if (!Number.isInteger(child) || child < -1 || child >= n) throw new TreeError('out-of-range', at, 'child index out of range', { expected: `an integer in [−1, ${n})`, got: `${JSON.stringify(child)} at ${slot}` });
      if (child === -1) return null;
      if (state[child] === 1) throw new TreeError('cycle', at, 'cycle', { expected: 'a tree (no node is its own descendant)', got: `${slot} = ${child} leads back to ${where}.nodes[${child}]` });
      if (state[child] === 2) throw new TreeError('dangling', at, 'node with two parents', { expected: 'each node the child of one parent', got: `${slot} = ${child}, already a child elsewhere` });
      return build(child, depth + 1);
    });
    state[index] = 2;
    return { ...nodeFields(nodes[index] as Readonly<Record<string, unknown>>, at), children: kids, path: at };
  };
  const tree = build(root, 0);
  const orphan = state.findIndex((s) => s === 0);
  if (orphan >= 0) throw new TreeError('dangling', `${where}.nodes[${orphan}]`, 'dangling node', { expected: 'every node reachable from the root', got: `node ${orphan} has no parent` });
  return tree;
}

/** Any source form to one parsed tree. */
export function parseTree(source: TreeSource, where: string, limits: TreeLimits = {}): TreeNode {
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (typeof source === 'string') return parseBracketed(source, where, maxDepth);
  if (isObject(source) && Array.isArray((source as unknown as IndexedTree).nodes)) return parsed(parseIndexed(source as unknown as IndexedTree, where, maxDepth));
  return parsed(parseJson(source as TreeJson, where, 0, maxDepth));
}
