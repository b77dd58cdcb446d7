import { createRuntime, type LoadedModel } from '@unfold/runtime';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler, staticRegistry, type FetchHandler } from '../src/index';
import { parseServerOptions } from '../src/server/options';
import { worstExcess } from '../../../packages/runtime/test/models';
import { treeReference, type TreeReference } from '../../../packages/runtime/test/tree-models';

/** Tree models at the edge: POST /models/:name/predict with {"trees": [...]}, GET /models, and 4xx for bad trees. */
process.env.ORT_DISABLE_TELEMETRY ??= '1';
const runtime = createRuntime(ort);
let arithmetic: TreeReference;
let features: TreeReference;
const loaded: LoadedModel[] = [];
let handler: FetchHandler;
const internalErrors: unknown[] = [];

beforeAll(async () => {
  arithmetic = await treeReference('arithmetic', 6);
  features = await treeReference('features', 7);
  loaded.push(await runtime.load(arithmetic.bytes, { name: 'arithmetic' }), await runtime.load(features.bytes, { name: 'features' }));
  const [a, f] = loaded as [LoadedModel, LoadedModel];
  handler = createHandler({ models: staticRegistry({ arithmetic: a, features: f }), limits: { maxBatch: 8, maxNodes: 40, maxDepth: 6 }, about: { runtime: 'test' }, onInternalError: (error) => internalErrors.push(error) });
});

afterAll(async () => {
  for (const model of loaded) await model.release();
  arithmetic.model.dispose();
  features.model.dispose();
  expect(internalErrors).toEqual([]);
});

async function send(path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const init: RequestInit = body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) };
  const response = await handler(new Request(`http://edge.test${path}`, init));
  return { status: response.status, body: await response.json() };
}

describe('tree models at the edge', () => {
  it('lists tree models with their tree port and predict', async () => {
    const { status, body } = await send('/models');
    expect(status).toBe(200);
    const byName = Object.fromEntries(body.models.map((m: { name: string }) => [m.name, m]));
    expect(byName.arithmetic).toMatchObject({ format: 'unfold', operations: ['predict'], tree: { nodes: 'tokens', arity: 2, outputKind: 'probabilities', tokenizer: true }, entries: [{ name: 'main', ports: { inputs: [{ kind: 'tree' }] } }] });
    expect(byName.features).toMatchObject({ format: 'unfold', operations: ['predict'], tree: { nodes: 'features', inputSize: 3, arity: null } });
    expect(byName.arithmetic.sequence).toBeUndefined();
  });

  it('answers each tree’s root, and every node with "nodes": true, as unfold does', async () => {
    const trees = ['(* 3 (+ 4 5))', { token: '-', children: [{ token: '8' }, { token: '1' }] }, '2'];
    const want = arithmetic.forward(trees as never);
    const roots = await send('/models/arithmetic/predict', { trees });
    expect(roots.status).toBe(200);
    expect(roots.body.model).toBe('arithmetic');
    expect(worstExcess(roots.body.outputs, want.outputs)).toBeLessThanOrEqual(0);
    const all = await send('/models/arithmetic/predict', { trees, nodes: true });
    expect(all.body.nodes.flat().map((n: { path: string }) => n.path)).toEqual(want.paths);
    expect(worstExcess(all.body.nodes.flat().map((n: { output: number[] }) => n.output), want.nodes)).toBeLessThanOrEqual(0);
    const featureTrees = [{ features: [0.2, 0.1, -0.4], children: [{ features: [1, 2, 3] }, { features: [-1, 0, 1] }] }];
    const answer = await send('/models/features/predict', { trees: featureTrees });
    expect(worstExcess(answer.body.outputs, features.forward(featureTrees).outputs)).toBeLessThanOrEqual(0);
  });

  it('answers every bad tree with a 4xx naming the node, and stays up', async () => {
    const cases: [string, string, unknown, number, string, string?][] = [
      ['a cycle', 'arithmetic', { trees: [{ nodes: [{ token: '+' }, { token: '1' }, { token: '2' }], children: [[1, 2], [], [0]] }] }, 422, 'E_TREE', 'trees[0].nodes[2]'],
      ['a dangling node', 'arithmetic', { trees: [{ nodes: [{ token: '+' }, { token: '1' }, { token: '2' }], children: [[1], [], []] }] }, 422, 'E_TREE', 'trees[0].nodes[2]'],
      ['an out-of-range child', 'arithmetic', { trees: [{ nodes: [{ token: '+' }, { token: '1' }], children: [[1, -2], []] }] }, 422, 'E_TREE', 'trees[0].nodes[0]'],
      ['arity above N', 'arithmetic', { trees: ['7', '(+ 1 2 3)'] }, 422, 'E_TREE', 'trees[1]'],
      ['an empty tree', 'arithmetic', { trees: [{ nodes: [], children: [] }] }, 422, 'E_TREE', 'trees[0]'],
      ['an empty bracketed node', 'arithmetic', { trees: ['(+ 1 ())'] }, 422, 'E_TREE', 'trees[0].children[1]'],
      ['too deep', 'arithmetic', { trees: ['(+ 1 (+ 1 (+ 1 (+ 1 (+ 1 (+ 1 (+ 1 2)))))))'] }, 422, 'E_LIMIT', 'trees[0].children[1].children[1].children[1].children[1].children[1].children[1].children[0]'],
      ['too many nodes', 'features', { trees: Array.from({ length: 5 }, () => ({ features: [0, 0, 0], children: Array.from({ length: 9 }, () => ({ features: [1, 1, 1] })) })) }, 422, 'E_LIMIT', 'trees[4].children[0]'],
      ['too many trees', 'arithmetic', { trees: Array.from({ length: 9 }, () => '1') }, 422, 'E_LIMIT', 'trees'],
      ['a wrong feature count', 'features', { trees: [{ features: [1, 2] }] }, 422, 'E_SHAPE', 'trees[0].features'],
      ['sequence inputs to a tree model', 'arithmetic', { inputs: [[1, 2, 3]] }, 400, 'E_REQUEST', 'request.inputs'],
      ['trees not a list', 'arithmetic', { trees: '(+ 1 2)' }, 400, 'E_REQUEST', 'trees'],
      ['stream on a tree model', 'arithmetic', { trees: ['1'] }, 422, 'E_UNSUPPORTED'],
    ];
    for (const [what, model, body, status, code, where] of cases) {
      const operation = what.startsWith('stream') ? 'stream' : 'predict';
      const answer = await send(`/models/${model}/${operation}`, body);
      expect.soft({ what, status: answer.status, code: answer.body?.error?.code, ...(where ? { where: answer.body?.error?.where } : {}) }).toEqual({ what, status, code, ...(where ? { where } : {}) });
    }
    expect((await send('/health')).status).toBe(200);
  });

  it('takes the tree limits as server flags', () => {
    expect(parseServerOptions(['--models', 'm', '--max-nodes', '500', '--max-depth', '12'], 'node').limits).toMatchObject({ maxNodes: 500, maxDepth: 12 });
    expect(() => parseServerOptions(['--models', 'm', '--max-depth', '0'], 'node')).toThrow(/--max-depth/);
  });
});
