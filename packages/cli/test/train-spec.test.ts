import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadModel, loadTrainingCheckpoint } from '@unfold/core/node';
import { describe, expect, it } from 'vitest';
import { builtInRegistry, runCli, type Io } from '../src/index';
import { cliWorkspace, runBundled, type CliRun } from './subprocess';

// Every ready spec in examples/specs trains from its data file in examples/data through the real command.
const workspace = cliWorkspace('train-spec');

/** The first and last epoch's training loss from the summary line. */
function losses(run: CliRun): [number, number] {
  const match = /training loss ([\d.]+) → ([\d.]+) over \d+ epochs/.exec(run.stdout);
  expect(match, run.stdout + run.stderr).not.toBeNull();
  return [Number(match?.[1]), Number(match?.[2])];
}

async function trains(args: readonly string[], out: string): Promise<CliRun> {
  const run = await runBundled(workspace.cli, ['train', ...args, '-o', out]);
  expect(run.code, run.stderr).toBe(0);
  const [first, last] = losses(run);
  expect(last).toBeLessThan(first);
  return run;
}

describe('unfold train --spec --data (subprocess)', () => {
  it('trains the forecaster on a CSV series and writes the window and normalisation into the spec', async () => {
    const out = join(workspace.dir, 'forecaster.unfold');
    const run = await trains(['--spec', 'examples/specs/forecaster.json', '--data', 'examples/data/series.csv', '--valid', 'examples/data/series-valid.csv', '--target', 'load', '--epochs', '4'], out);
    expect(run.stderr).toContain('sizes from the data: body.inputSize = 1, output.inputSize = 16, output.outputSize = 1');
    const model = await loadModel(builtInRegistry(), out);
    expect(model.spec.metadata).toMatchObject({ task: 'forecast', target: 'load', window: 16, normalisation: { mean: expect.any(Number), std: expect.any(Number) } });
  });

  it('trains the sequence classifier on JSON lines with length buckets', async () => {
    const out = join(workspace.dir, 'classifier.unfold');
    const run = await trains(['--spec', 'examples/specs/sequence-classifier.json', '--data', 'examples/data/sequences.jsonl', '--valid', 'examples/data/sequences-valid.jsonl', '--buckets', 'auto', '--epochs', '5', '--lr', '0.01', '--batch', '16'], out);
    expect(run.stderr).toMatch(/buckets: boundaries [\d, ]+, \d+% of padded steps saved/);
    const model = await loadModel(builtInRegistry(), out);
    expect(model.spec.children?.output).toMatchObject({ config: { inputSize: 16, outputSize: 3 } });
  });

  it('trains the tagger (a class per step)', async () => {
    await trains(['--spec', 'examples/specs/tagger.json', '--data', 'examples/data/tags.jsonl', '--epochs', '4', '--lr', '0.02', '--batch', '16'], join(workspace.dir, 'tagger.unfold'));
  });

  it('trains the character LM on text; the tokenizer travels in the checkpoint and the exported file', async () => {
    const out = join(workspace.dir, 'char-lm.unfold');
    await trains(['--spec', 'examples/specs/char-lm.json', '--data', 'examples/data/text.jsonl', '--valid', 'examples/data/text-valid.jsonl', '--epochs', '3', '--lr', '0.02', '--batch', '16'], out);
    const model = await loadModel(builtInRegistry(), out);
    const tokenizer = model.spec.metadata?.tokenizer as { kind: string; tokens: string[] };
    expect(tokenizer.kind).toBe('char');
    expect(tokenizer.tokens.slice(0, 4)).toEqual(['<pad>', '<unk>', '<bos>', '<eos>']);
    expect(model.spec.children?.input).toMatchObject({ config: { vocabularySize: tokenizer.tokens.length } });
    const onnx = join(workspace.dir, 'char-lm.onnx');
    const exported = await runBundled(workspace.cli, ['export', out, '-o', onnx]);
    expect(exported.code, exported.stderr).toBe(0);
    const shown = await runBundled(workspace.cli, ['inspect', onnx, '--json']);
    expect(JSON.stringify(JSON.parse(shown.stdout))).toContain(JSON.stringify(tokenizer.tokens));
  });

  it('trains the character LM with truncated BPTT over streams', async () => {
    const run = await trains(['--spec', 'examples/specs/char-lm.json', '--data', 'examples/data/text.jsonl', '--tbptt', '25,50', '--epochs', '3', '--lr', '0.02', '--batch', '8'], join(workspace.dir, 'char-lm-tbptt.unfold'));
    expect(run.stderr).toMatch(/epoch 3\/3 {2}loss [\d.]+ {2}\(\d+ updates of 25 steps\)/);
  });

  it('stops on a malformed row with one line naming the file, the line and the reason, exit code 2', async () => {
    const bad = join(workspace.dir, 'bad.jsonl');
    await writeFile(bad, '{"x": [[0.1, 0.2]], "y": 1}\n{"x": [[0.1, 0.2]], "y": 0}\n{"x": [[0.1]], "y": 0}\n');
    const run = await runBundled(workspace.cli, ['train', '--spec', 'examples/specs/sequence-classifier.json', '--data', bad, '-o', join(workspace.dir, 'never.unfold')]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^unfold: E_DATA: .*bad\.jsonl:3: x\[0\] has 1 features; expected 2 features per step/);
  });

  it('stops a diverging run with one E_DIVERGED line and exit code 2, keeping the last good checkpoint', async () => {
    const out = join(workspace.dir, 'diverged.unfold');
    const run = await runBundled(workspace.cli, ['train', '--spec', 'examples/specs/sequence-classifier.json', '--data', 'examples/data/sequences.jsonl', '--lr', '1e6', '--epochs', '3', '--checkpoint-every', '2', '-o', out]);
    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('unfold:'))).toEqual([expect.stringMatching(/^unfold: E_DIVERGED: epoch (\d+), step (\d+): training diverged/)]);
    expect(run.stdout).not.toContain('checkpoint written');
    const [, epoch, step] = /epoch (\d+), step (\d+)/.exec(run.stderr) ?? [];
    const stepsBefore = (Number(epoch) - 1) * 8 + Number(step) - 1; // 240 sequences in batches of 32: 8 steps an epoch
    const saved = await loadTrainingCheckpoint(builtInRegistry(), out);
    expect(saved.state.stepLosses).toHaveLength(stepsBefore - (stepsBefore % 2));
    expect(Object.values(saved.weights).every((w) => w.data.every(Number.isFinite))).toBe(true);
  });

  it('resumes from a training checkpoint to the same bytes as the run that never stopped', async () => {
    const common = ['--spec', 'examples/specs/tagger.json', '--data', 'examples/data/tags.jsonl', '--lr', '0.02', '--batch', '16', '--checkpoint-every', '5'];
    const [whole, half] = [join(workspace.dir, 'whole.unfold'), join(workspace.dir, 'half.unfold')];
    expect((await runBundled(workspace.cli, ['train', ...common, '--epochs', '3', '-o', whole])).code).toBe(0);
    expect((await runBundled(workspace.cli, ['train', ...common, '--epochs', '1', '-o', half])).code).toBe(0);
    const resumed = await runBundled(workspace.cli, ['train', ...common, '--epochs', '3', '--resume', half, '-o', half]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('resuming at epoch 2, batch 1');
    expect(Buffer.compare(await readFile(whole), await readFile(half))).toBe(0);
  });
});

describe('unfold train --spec: mistakes in one line, exit code 2', () => {
  function capture(): Io & { stdout: string; stderr: string } {
    const io = { stdout: '', stderr: '', interactive: false, out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
    return io;
  }

  it.each([
    ['a spec option without --spec', ['--data', 'x.jsonl'], /--data needs --spec/],
    ['a forecaster option with --spec', ['--spec', 'examples/specs/tagger.json', '--data', 'examples/data/tags.jsonl', '--cell', 'gru'], /--cell is for the built-in forecaster/],
    ['a bad --tbptt', ['--spec', 'examples/specs/char-lm.json', '--data', 'examples/data/text.jsonl', '--tbptt', '50,10'], /--tbptt must be K1 or K1,K2/],
    ['a bad --buckets', ['--spec', 'examples/specs/tagger.json', '--data', 'examples/data/tags.jsonl', '--buckets', '10,5'], /--buckets must be auto or increasing integers/],
    ['a bad schedule', ['--spec', 'examples/specs/tagger.json', '--data', 'examples/data/tags.jsonl', '--scheduled-sampling', 'sometimes'], /E_CONFIG: .*cannot read the scheduled-sampling schedule/],
    ['a loss for other targets', ['--spec', 'examples/specs/tagger.json', '--data', 'examples/data/tags.jsonl', '--loss', 'mse'], /the mse loss compares against values, the data has classes/],
    ['text for a features model', ['--spec', 'examples/specs/tagger.json', '--data', 'examples/data/text.jsonl'], /E_CONFIG: model: the model reads feature vectors, the data holds token ids or text/],
    ['a CSV for a per-step model', ['--spec', 'examples/specs/tagger.json', '--data', 'examples/data/series.csv'], /a CSV series \(next-value forecasting\) needs a model with readout "last"/],
    ['a missing CSV column', ['--spec', 'examples/specs/forecaster.json', '--data', 'examples/data/series.csv', '--target', 'price'], /E_DATA: examples\/data\/series\.csv:1: no column "price"; expected one of "step", "load"/],
  ])('%s', async (_what, args, message) => {
    const io = capture();
    expect(await runCli(['train', ...args], io)).toBe(2);
    expect(io.stderr).toMatch(message);
    expect(io.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('names the line of a malformed CSV row and of a seq2seq record', async () => {
    const csv = join(workspace.dir, 'bad.csv');
    await writeFile(csv, 'step,load\n0,0.5\n1,0.7\n2,n/a\n');
    const jsonl = join(workspace.dir, 'pairs.jsonl');
    await writeFile(jsonl, '{"source": "hello", "target": "bonjour"}\n');
    for (const [spec, data, message] of [
      ['forecaster', csv, /bad\.csv:4: non-numeric value in column "load"; expected a finite number; got "n\/a"/],
      ['tagger', jsonl, /pairs\.jsonl holds source\/target pairs, which train a seq2seq model; examples\/specs\/tagger\.json is a sequence-model model/],
      ['seq2seq-attention', 'examples/data/text.jsonl', /examples\/specs\/seq2seq-attention\.json is a seq2seq model, which trains on \{"source", "target"\} pairs/],
    ] as const) {
      const io = capture();
      expect(await runCli(['train', '--spec', `examples/specs/${spec}.json`, '--data', data, ...(data === csv ? ['--target', 'load', '--window', '2'] : [])], io)).toBe(2);
      expect(io.stderr).toMatch(message);
      expect(io.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
