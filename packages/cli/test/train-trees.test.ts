import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadModel } from '@unfold/core/node';
import { describe, expect, it } from 'vitest';
import { builtInRegistry } from '../src/index';
import { cliWorkspace, runBundled, startServe } from './subprocess';

// The ready tree spec trains through the real command from the committed tree records (bracketed and
// JSON trees, arithmetic mod 10), with no edits: the vocabulary and the label set come from the data.
// The checkpoint then exports, runs on trees (unfold run --trees) and is served (unfold serve).
const workspace = cliWorkspace('train-trees');

describe('unfold train --spec examples/specs/tree-lstm.json --data examples/data/trees.jsonl (subprocess)', () => {
  it('trains, exports, runs on trees and serves the tree model', async () => {
    const checkpoint = join(workspace.dir, 'tree.unfold');
    const onnx = join(workspace.dir, 'tree.onnx');
    const run = await runBundled(workspace.cli, ['train', '--spec', 'examples/specs/tree-lstm.json', '--data', 'examples/data/trees.jsonl', '--epochs', '8', '--batch', '16', '--buckets', 'auto', '--seed', '2', '-o', checkpoint]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/data: 240 trees \(\d+ nodes\), a vocabulary of 17 tokens, 10 classes/);
    expect(run.stderr).toContain('sizes from the data: embedding.vocabularySize = 17, head.outputSize = 10');
    expect(run.stderr).toMatch(/buckets by tree size: boundaries \d/);
    const match = /training loss ([\d.]+) → ([\d.]+) over 8 epochs, accuracy ([\d.]+)%/.exec(run.stdout);
    expect(match, run.stdout + run.stderr).not.toBeNull();
    expect(Number(match?.[2])).toBeLessThan(Number(match?.[1]) * 0.9);
    const model = await loadModel(builtInRegistry(), checkpoint);
    expect(model.spec.children?.cell).toMatchObject({ kind: 'nary-tree-lstm', config: { arity: 2 } });
    expect((model.spec.metadata?.tokenizer as { tokens: string[] }).tokens.slice(0, 4)).toEqual(['<pad>', '<unk>', '<bos>', '<eos>']);

    expect((await runBundled(workspace.cli, ['export', checkpoint, '-o', onnx])).code).toBe(0);
    const treesFile = join(workspace.dir, 'trees.json');
    await writeFile(treesFile, JSON.stringify({ trees: ['(+ 3 4)', { token: '*', children: [{ token: '2' }, { token: '5' }] }], nodes: true }));
    const answers = await Promise.all([onnx, checkpoint].map((file) => runBundled(workspace.cli, ['run', file, '--trees', treesFile])));
    for (const answer of answers) expect(answer.code, answer.stderr).toBe(0);
    const [fromOnnx, fromCheckpoint] = answers.map((a) => JSON.parse(a.stdout) as { outputs: number[][]; nodes: { path: string }[][] });
    expect(fromOnnx?.outputs.map((row) => row.length)).toEqual([10, 10]);
    expect(fromOnnx?.nodes[1]?.map((n) => n.path)).toEqual(['trees[1].children[0]', 'trees[1].children[1]', 'trees[1]']);
    expect(fromCheckpoint).toEqual(fromOnnx);

    const server = await startServe(workspace.cli, [onnx, '--port', '0']);
    const url = server.url;
    try {
      const post = (body: unknown) => fetch(`${url}/models/tree/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const served = await post({ trees: ['(+ 3 4)', { token: '*', children: [{ token: '2' }, { token: '5' }] }] });
      expect(served.status).toBe(200);
      expect(((await served.json()) as { outputs: number[][] }).outputs).toEqual(fromOnnx?.outputs);
      const bad = await post({ trees: ['(+ 3 4 5)'] });
      expect(bad.status).toBe(422);
      expect(await bad.json()).toMatchObject({ error: { code: 'E_TREE', where: 'trees[0]' } });
      const listed = (await (await fetch(`${url}/models`)).json()) as { models: { name: string; operations: string[]; tree?: object }[] };
      expect(listed.models[0]).toMatchObject({ name: 'tree', operations: ['predict'], tree: { nodes: 'tokens', arity: 2, tokenizer: true } });
    } finally {
      await server.stop();
    }
  }, 240_000);

  it('names the file and line of a bad tree record', async () => {
    const data = join(workspace.dir, 'bad.jsonl');
    await writeFile(data, '{"tree": "(+ 1 2)", "label": 3}\n{"tree": "(+ 1 (* 2", "label": 1}\n');
    const run = await runBundled(workspace.cli, ['train', '--spec', 'examples/specs/tree-lstm.json', '--data', data, '-o', join(workspace.dir, 'bad.unfold')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/bad\.jsonl:2: bad tree at tree\.children\[1\]: unclosed "\("/);
  }, 120_000);
});
