import { createRuntime, isRuntimeError, type UnfoldModel } from '@unfold/runtime';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUnfold } from './kit';
import { worstExcess } from './models';
import { treeReference, type TreeReference } from './tree-models';

// Tree models served by the runtime: `predict` with {"trees": [...]} (bracketed strings, JSON trees,
// indexed trees) answers each root's output and, with "nodes": true, every node's, as unfold's tree layer
// does, in onnxruntime-node and onnxruntime-web; every bad tree is a typed error naming the node's path.
process.env.ORT_DISABLE_TELEMETRY ??= '1';

const references: Partial<Record<'arithmetic' | 'features', TreeReference>> = {};
const served: Record<string, UnfoldModel> = {};

beforeAll(async () => {
  references.arithmetic = await treeReference('arithmetic', 3);
  references.features = await treeReference('features', 4);
  for (const [flavour, ort] of [['node', ortNode], ['web', ortWeb]] as const) {
    const runtime = createRuntime(ort as never);
    served[`arithmetic-${flavour}`] = asUnfold(await runtime.load(references.arithmetic.bytes, { name: 'arithmetic' }));
    served[`features-${flavour}`] = asUnfold(await runtime.load(references.features.bytes, { name: 'features' }));
  }
});

afterAll(async () => {
  for (const model of Object.values(served)) await model.release();
  for (const reference of Object.values(references)) reference?.model.dispose();
});

const ARITHMETIC = ['(+ 1 (* 2 3))', '7', { token: '-', children: [{ token: '4' }, { token: '+', children: [{ token: '9' }, { token: '9' }] }] }, { nodes: [{ token: '*' }, { token: '5' }, { token: '6' }], children: [[1, 2], [], []] }, '(- (- (- 1 2) 3) (* 4 (+ 5 6)))'];
const FEATURES = [
  { features: [0.1, -0.2, 0.3], children: [{ features: [1, 0, 0] }, { features: [0, 1, 0] }, { features: [0, 0, 1], children: [{ features: [0.5, 0.5, 0.5] }] }] },
  { features: [2, -1, 0] },
  { features: [0, 0, 0], children: [{ features: [1, 1, 1] }, { features: [-1, -1, -1] }, { features: [0.3, 0.2, 0.1] }, { features: [0.9, 0.8, 0.7] }] },
];

async function failure(promise: Promise<unknown>): Promise<{ code: string; where: string | undefined; limit?: string }> {
  try {
    await promise;
  } catch (error) {
    if (isRuntimeError(error)) return { code: error.code, where: error.details.where, ...(error.details.limit ? { limit: error.details.limit } : {}) };
    throw error;
  }
  throw new Error('expected a rejection');
}

describe.each(['node', 'web'])('tree predict in onnxruntime-%s', (flavour) => {
  it('answers each root (and every node when asked) as unfold’s tree layer', async () => {
    for (const [name, trees] of [['arithmetic', ARITHMETIC], ['features', FEATURES]] as const) {
      const model = served[`${name}-${flavour}`] as UnfoldModel;
      const want = (references[name] as TreeReference).forward(trees as never);
      const roots = await model.run('predict', { trees });
      expect(Object.keys(roots)).toEqual(['outputs']);
      expect(worstExcess(roots.outputs, want.outputs)).toBeLessThanOrEqual(0);
      const all = (await model.run('predict', { trees, nodes: true })) as { outputs: number[][]; nodes: { path: string; output: number[] }[][] };
      expect(all.outputs).toEqual(roots.outputs);
      expect(all.nodes.length).toBe(trees.length);
      const flat = all.nodes.flat();
      expect(flat.map((n) => n.path)).toEqual(want.paths);
      expect(worstExcess(flat.map((n) => n.output), want.nodes)).toBeLessThanOrEqual(0);
      all.nodes.forEach((list, b) => expect(list[list.length - 1]?.path).toMatch(new RegExp(`^trees\\[${b}\\](\\.nodes\\[0\\])?$`))); // post-order: the root last
    }
  });

  it('unknown words read as <unk>, as in training', async () => {
    const model = served[`arithmetic-${flavour}`] as UnfoldModel;
    const want = (references.arithmetic as TreeReference).forward(['(% 1 2)']);
    expect(worstExcess((await model.run('predict', { trees: ['(% 1 2)'] })).outputs, want.outputs)).toBeLessThanOrEqual(0);
  });
});

describe('tree model description and errors', () => {
  it('describes a tree model: predict only, the tree port and the node kind', () => {
    const description = (served['arithmetic-node'] as UnfoldModel).describe();
    expect(description).toMatchObject({ format: 'unfold', operations: ['predict'], tree: { nodes: 'tokens', inputSize: 17, outputSize: 10, outputKind: 'probabilities', arity: 2, tokenizer: true } });
    expect(description.sequence).toBeUndefined();
    expect(description.entries?.[0]?.ports.inputs).toEqual([{ name: 'input', kind: 'tree', size: 17, tensor: 'nodes', lengths: null }]);
    expect((served['features-node'] as UnfoldModel).describe()).toMatchObject({ tree: { nodes: 'features', inputSize: 3, outputSize: 2, arity: null, tokenizer: false } });
  });

  it('names the node of every bad tree, never crashing', async () => {
    const arithmetic = served['arithmetic-node'] as UnfoldModel;
    const features = served['features-node'] as UnfoldModel;
    const cases: [string, UnfoldModel, unknown, { code: string; where: string | undefined; limit?: string }, object?][] = [
      ['a cycle', arithmetic, { trees: [{ nodes: [{ token: '+' }, { token: '1' }], children: [[1], [0]] }] }, { code: 'E_TREE', where: 'trees[0].nodes[1]' }],
      ['a node with two parents', arithmetic, { trees: [{ nodes: [{ token: '+' }, { token: '1' }], children: [[1, 1], []] }] }, { code: 'E_TREE', where: 'trees[0].nodes[0]' }],
      ['a dangling node', arithmetic, { trees: ['7', { nodes: [{ token: '+' }, { token: '1' }, { token: '2' }], children: [[1], [], []] }] }, { code: 'E_TREE', where: 'trees[1].nodes[2]' }],
      ['a child index out of range', arithmetic, { trees: [{ nodes: [{ token: '+' }], children: [[3]] }] }, { code: 'E_TREE', where: 'trees[0].nodes[0]' }],
      ['more children than N', arithmetic, { trees: ['(+ 1 (* 2 3 4))'] }, { code: 'E_TREE', where: 'trees[0].children[1]' }],
      ['an empty tree', arithmetic, { trees: ['7', ''] }, { code: 'E_TREE', where: 'trees[1]' }],
      ['an empty node in a JSON tree', arithmetic, { trees: [{ token: '+', children: [null] }] }, { code: 'E_TREE', where: 'trees[0].children[0]' }],
      ['unbalanced brackets', arithmetic, { trees: ['(+ 1 (* 2 3)'] }, { code: 'E_TREE', where: 'trees[0]' }],
      ['a node without a token', arithmetic, { trees: [{ token: '+', children: [{ features: [1] }] }] }, { code: 'E_TREE', where: 'trees[0].children[0]' }],
      ['a look-alike of a parsed tree', arithmetic, { trees: [{ path: 'x', children: [7] }] }, { code: 'E_TREE', where: 'trees[0]' }],
      ['a wrong feature count', features, { trees: [{ features: [1, 2, 3], children: [{ features: [1] }] }] }, { code: 'E_SHAPE', where: 'trees[0].children[0].features' }],
      ['a token on a features model', features, { trees: ['(a b)'] }, { code: 'E_TREE', where: 'trees[0].children[0]' }],
      ['a value beyond float32', features, { trees: [{ features: [1e39, 0, 0] }] }, { code: 'E_NON_FINITE', where: 'trees[0].features[0]' }],
      ['too deep', arithmetic, { trees: [`${'(- '.repeat(9)}1${' 2)'.repeat(9)}`] }, { code: 'E_LIMIT', where: 'trees[0].children[0].children[0].children[0].children[0].children[0].children[0].children[0].children[0].children[0]', limit: 'maxDepth' }, { maxDepth: 8 }],
      ['too many nodes', arithmetic, { trees: ['(+ 1 2)', '(+ 3 4)'] }, { code: 'E_LIMIT', where: 'trees[1]', limit: 'maxNodes' }, { maxNodes: 5 }],
      ['too many trees', arithmetic, { trees: ['1', '2', '3'] }, { code: 'E_LIMIT', where: 'trees', limit: 'maxBatch' }, { maxBatch: 2 }],
      ['a child table too large', features, { trees: [{ features: [0, 0, 0], children: Array.from({ length: 40 }, () => ({ features: [1, 1, 1] })) }] }, { code: 'E_LIMIT', where: 'trees[0]', limit: 'maxElements' }, { maxElements: 1000 }],
      ['an answer too large', arithmetic, { trees: ['(+ 1 2)'], nodes: true }, { code: 'E_LIMIT', where: 'nodes', limit: 'maxOutputElements' }, { maxOutputElements: 30 }],
      ['sequence inputs', arithmetic, { inputs: [[1, 2]] }, { code: 'E_REQUEST', where: 'request.inputs' }],
      ['no trees', arithmetic, { trees: [] }, { code: 'E_REQUEST', where: 'trees' }],
      ['nodes not a boolean', arithmetic, { trees: ['1'], nodes: 'yes' }, { code: 'E_REQUEST', where: 'request.nodes' }],
    ];
    for (const [what, model, request, expected, limits] of cases) {
      expect.soft({ what, ...(await failure(model.run('predict', request, limits ? { limits } : {}))) }).toEqual({ what, ...expected });
    }
    expect(await failure(arithmetic.run('stream', { inputs: [[1]] }))).toMatchObject({ code: 'E_UNSUPPORTED' });
  });
});
