import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadModel } from '@unfold/core/node';
import { describe, expect, it } from 'vitest';
import { builtInRegistry } from '../src/index';
import { cliWorkspace, runBundled, startServe } from './subprocess';

// The ready seq2seq spec trains through the real command from the committed text pairs (strings and their
// reversals), with no edits: both vocabularies come from the data. The checkpoint exports as a folder
// (encoder.onnx + decoder_step.onnx), decodes with unfold run (the folder in onnxruntime, the checkpoint in
// unfold: the same tokens) and is served: POST /models/:name/generate.
const workspace = cliWorkspace('train-seq2seq');

describe('unfold train --spec examples/specs/seq2seq-attention.json --data examples/data/pairs.jsonl (subprocess)', () => {
  it('trains, exports a folder, decodes with unfold run and serves generate', async () => {
    const checkpoint = join(workspace.dir, 'reverse.unfold');
    const folder = join(workspace.dir, 'reverse');
    const run = await runBundled(workspace.cli, ['train', '--spec', 'examples/specs/seq2seq-attention.json', '--data', 'examples/data/pairs.jsonl', '--valid', 'examples/data/pairs-valid.jsonl', '--epochs', '6', '--buckets', 'auto', '--seed', '3', '-o', checkpoint]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/data: 400 text pairs, vocabularies of 12 \(source\) and 12 \(target\) tokens/);
    expect(run.stderr).toContain('source.vocabularySize = 12');
    expect(run.stderr).toContain('output.outputSize = 12');
    const match = /training loss ([\d.]+) → ([\d.]+) over 6 epochs/.exec(run.stdout);
    expect(match, run.stdout + run.stderr).not.toBeNull();
    expect(Number(match?.[2])).toBeLessThan(Number(match?.[1]) * 0.7);
    expect(run.stdout).toMatch(/greedy exact match: [\d.]+% of training pairs, [\d.]+% of validation pairs/);
    const model = await loadModel(builtInRegistry(), checkpoint);
    expect(Object.keys(model.spec.metadata ?? {})).toEqual(expect.arrayContaining(['sourceTokenizer', 'targetTokenizer']));

    const exported = await runBundled(workspace.cli, ['export', checkpoint, '-o', folder]);
    expect(exported.code, exported.stderr).toBe(0);
    expect((await readdir(folder)).sort()).toEqual(['decoder_step.onnx', 'encoder.onnx', 'greedy.onnx']);
    const request = join(workspace.dir, 'request.json');
    await writeFile(request, JSON.stringify({ inputs: ['abcdef', 'hgg'], strategy: 'beam', beamWidth: 3, maxLength: 12 }));
    const answers = await Promise.all([folder, checkpoint].map((path) => runBundled(workspace.cli, ['run', path, '--inputs', request])));
    for (const answer of answers) expect(answer.code, answer.stderr).toBe(0);
    const [fromFolder, fromCheckpoint] = answers.map((a) => JSON.parse(a.stdout) as { outputs: string[]; tokens: number[][]; scores: number[] });
    expect(fromFolder?.tokens).toEqual(fromCheckpoint?.tokens);
    expect(fromFolder?.outputs).toEqual(fromCheckpoint?.outputs);
    expect(fromFolder?.outputs).toHaveLength(2);

    const server = await startServe(workspace.cli, [folder, '--port', '0']);
    try {
      const post = (body: unknown) => fetch(`${server.url}/models/reverse/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const served = await post({ inputs: ['abcdef', 'hgg'], strategy: 'beam', beamWidth: 3, maxLength: 12 });
      expect(served.status).toBe(200);
      expect(await served.json()).toMatchObject({ outputs: fromFolder?.outputs, tokens: fromFolder?.tokens });
      const bad = await post({ inputs: ['abc'], strategy: 'beam', beamWidth: 0 });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ error: { code: 'E_REQUEST', where: 'beamWidth' } });
      const listed = (await (await fetch(`${server.url}/models`)).json()) as { models: { name: string; operations: string[] }[] };
      expect(listed.models[0]).toMatchObject({ name: 'reverse', operations: ['generate'] });
    } finally {
      await server.stop();
    }
  }, 300_000);

  it('names the file and line of a bad pair record', async () => {
    const data = join(workspace.dir, 'bad.jsonl');
    await writeFile(data, '{"source": "abc", "target": "cba"}\n{"source": "abc", "target": [4, 5]}\n');
    const run = await runBundled(workspace.cli, ['train', '--spec', 'examples/specs/seq2seq-attention.json', '--data', data, '-o', join(workspace.dir, 'bad.unfold')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/bad\.jsonl:2: target is not text/);
  }, 120_000);
});
