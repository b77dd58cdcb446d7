import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeIds, parseModelSpec, setupBackend, type ModelSpec } from '@unfold/core';
import { saveModel } from '@unfold/core/node';
import { exportModelFolder } from '@unfold/onnx/node';
import { createRuntime } from '@unfold/runtime';
import { attentionWeights, consoleProgress, createModel, exactMatch, fillDataSizes, fit, modelTokenizer, pairData, readRecords, translate, type PairRecordSet } from '@unfold/training';
import { builtInRegistry } from '../models';
import type { HeatmapSection, LineChartSection, ReportModel, SamplesSection } from '../report/types';
import { UsageError } from '../usage-error';
import { examplesFolder } from './examples';
import type { DemoJob } from './job';
import { ExportMismatchError } from './verify';

const PRESETS = { quick: { epochs: 8 }, full: { epochs: 40 } } as const;
/** The served model's name: the export folder's. */
const NAME = 'reverse';

async function pairs(path: string): Promise<PairRecordSet> {
  const set = readRecords(await readFile(path, 'utf8'), path);
  if (set.format !== 'pairs' || set.kind !== 'text') throw new UsageError(`${path} holds ${set.format} records, not text pairs`, 'restore examples/data from the repository');
  return set;
}

/**
 * The encoder–decoder of examples/specs/seq2seq-attention.json (bidirectional GRU encoder, GRU decoder,
 * Luong attention) on examples/data/pairs.jsonl (strings and their reversals), validated on
 * pairs-valid.jsonl. Exports the `reverse/` folder (encoder, decoder_step, greedy), checks the runtime's
 * generate on it (greedy and beam, onnxruntime-node) against the library's translate on the validation
 * sources, and reports the curves, decoded samples and the attention of one example as a heat map.
 */
export const seq2seqJob: DemoJob = {
  name: 'seq2seq',
  async run({ dir, quick, seed, backend, io }) {
    const examples = examplesFolder('specs/seq2seq-attention.json');
    const preset = quick ? PRESETS.quick : PRESETS.full;
    const train = await pairs(join(examples, 'data/pairs.jsonl'));
    const valid = await pairs(join(examples, 'data/pairs-valid.jsonl'));
    const data = pairData(train);
    const tokenizers = data.tokenizers as NonNullable<typeof data.tokenizers>;
    const validation = pairData(valid, { tokenizers: { source: tokenizers.sourceTokenizer, target: tokenizers.targetTokenizer } });
    const registry = builtInRegistry();
    const given = parseModelSpec(JSON.parse(await readFile(join(examples, 'specs/seq2seq-attention.json'), 'utf8')), 'examples/specs/seq2seq-attention.json');
    const { spec } = fillDataSizes(registry, given, data.sizes);
    await setupBackend({ backend });
    const model = createModel(registry, { ...spec, metadata: { ...spec.metadata, task: 'seq2seq', ...tokenizers.metadata } as ModelSpec['metadata'] }, { seed });
    try {
      io.err(`model: seq2seq with attention (examples/specs/seq2seq-attention.json), ${[...model.variables.values()].reduce((n, v) => n + v.size, 0)} parameters, ${train.records.length} training pairs\n`);
      const result = await fit(model, data.data, {
        epochs: preset.epochs,
        batchSize: 32,
        loss: 'cross-entropy',
        optimizer: { kind: 'adam', learningRate: 5e-3 },
        clipNorm: 5,
        seed,
        validation: validation.data,
        buckets: 'auto',
        progress: consoleProgress({ output: { write: (text: string) => io.err(text), isTTY: io.interactive } }),
      });
      const sources = valid.records.map((r) => r.source as string);
      const targets = valid.records.map((r) => r.target as string);
      const greedy = await translate(model, sources);
      const beam = await translate(model, sources, { strategy: 'beam', beamWidth: 3 });
      const greedyMatch = exactMatch(greedy.map((t) => t.text ?? ''), targets);
      const beamMatch = exactMatch(beam.map((t) => t.text ?? ''), targets);
      io.out(`seq2seq: greedy exact match ${(100 * greedyMatch).toFixed(1)}%, beam-3 ${(100 * beamMatch).toFixed(1)}% on ${sources.length} held-out pairs\n`);
      const checkpoint = join(dir, `${NAME}.unfold`);
      await saveModel(registry, checkpoint, model.toModelData());
      const folder = join(dir, NAME);
      await exportModelFolder(registry, folder, model.toModelData());
      io.out(`checkpoint written to ${checkpoint}\nexported to ${folder}/ (encoder, decoder_step, greedy)\n`);

      const files = Object.fromEntries(await Promise.all((await readdir(folder)).map(async (file) => [file, new Uint8Array(await readFile(join(folder, file)))] as const)));
      const served = await createRuntime(await import('onnxruntime-node')).loadEntries(NAME, files);
      try {
        for (const [strategy, expected] of [['greedy', greedy], ['beam', beam]] as const) {
          const answer = (await served.run('generate', { inputs: sources, ...(strategy === 'beam' ? { strategy, beamWidth: 3 } : {}) }, { limits: { maxBatch: 3 * sources.length } })) as { tokens: number[][] };
          const differing = answer.tokens.filter((tokens, i) => JSON.stringify(tokens) !== JSON.stringify(expected[i]?.tokens)).length;
          if (differing > 0) throw new ExportMismatchError(`${strategy} decoding`, `${differing} of ${sources.length} outputs differ from the library's`);
        }
        io.out(`onnxruntime decodes the ${sources.length} held-out sources to the library's tokens (greedy and beam)\n`);
      } finally {
        await served.release();
      }
      return seq2seqReport(model, result.history, sources, targets, greedy, { greedyMatch, beamMatch, epochs: result.history.length });
    } finally {
      model.dispose();
    }
  },
};

function seq2seqReport(model: Parameters<typeof attentionWeights>[0], history: readonly { epoch: number; loss: number; validationLoss?: number }[], sources: readonly string[], targets: readonly string[], greedy: Awaited<ReturnType<typeof translate>>, numbers: { greedyMatch: number; beamMatch: number; epochs: number }): ReportModel {
  const curves: LineChartSection = {
    kind: 'line-chart',
    id: 'seq2seq-loss',
    title: 'Loss per epoch',
    xLabel: 'epoch',
    yLabel: 'cross-entropy per token',
    series: [
      { name: 'training', points: history.map((h) => [h.epoch, h.loss] as const) },
      { name: 'validation', points: history.filter((h) => h.validationLoss !== undefined).map((h) => [h.epoch, h.validationLoss as number] as const) },
    ],
  };
  const samples: SamplesSection = {
    kind: 'samples',
    id: 'seq2seq-samples',
    title: 'Greedy decoding of held-out sources',
    samples: sources.slice(0, 6).map((source, i) => ({ prompt: source, text: greedy[i]?.text ?? '', note: greedy[i]?.text === targets[i] ? 'exact' : `expected ${targets[i]}` })),
  };
  const longest = sources.reduce((best, s, i) => (s.length > (sources[best] ?? '').length ? i : best), 0);
  const tokens = greedy[longest]?.tokens ?? [];
  const weights = attentionWeights(model, sources[longest] as string, tokens) ?? [];
  const target = modelTokenizer(model, 'targetTokenizer');
  const heatmap: HeatmapSection = {
    kind: 'heatmap',
    id: 'seq2seq-attention',
    title: `Attention while decoding "${sources[longest]}"`,
    caption: 'rows: each output character and the end (<eos>); columns: the source characters; a row sums to 1. A reversal attends along the anti-diagonal.',
    matrix: weights,
    rowLabels: [...tokens.map((id) => (target ? decodeIds(target, [id]) : String(id))), '<eos>'],
    columnLabels: Array.from(sources[longest] as string),
    rowAxis: 'output',
    columnAxis: 'source',
    range: [0, 1],
  };
  return {
    name: NAME,
    description: 'character seq2seq with attention: a bidirectional GRU encoder, a GRU decoder with Luong (general) attention, reversing strings (examples/specs/seq2seq-attention.json on examples/data/pairs.jsonl)',
    facts: [
      { label: 'greedy exact match', value: `${(100 * numbers.greedyMatch).toFixed(1)}%` },
      { label: 'beam-3 exact match', value: `${(100 * numbers.beamMatch).toFixed(1)}%` },
      { label: 'epochs', value: String(numbers.epochs) },
    ],
    sections: [curves, samples, heatmap],
  };
}
