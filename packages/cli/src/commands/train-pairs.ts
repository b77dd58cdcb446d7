import { resolve } from 'node:path';
import { checkTokenizer, setupBackend, type ModelSpec } from '@unfold/core';
import { saveModel } from '@unfold/core/node';
import { consoleProgress, createModel, exactMatch, fillDataSizes, fit, pairData, parseSchedule, probeSpec, readRecords, translate, type PairRecordSet } from '@unfold/training';
import { firstRecordHas, readInputFile } from '../files';
import type { Io } from '../io';
import { builtInRegistry } from '../models';
import { choiceOption, integerOption, numberOption } from '../options';
import { UsageError } from '../usage-error';
import { backendLine } from '../backend-line';

/**
 * `unfold train --spec seq2seq.json --data pairs.jsonl`: an encoder–decoder (a `seq2seq` spec, such as
 * examples/specs/seq2seq-attention.json) from `{"source", "target"}` records (@unfold/training's
 * pair-records.ts). Text pairs get a tokenizer per side built from the data (`--tokenizer char|word`),
 * written into the model's metadata as `sourceTokenizer` and `targetTokenizer`; sizes written "auto" are
 * filled from the vocabularies. Training is `fit` with masked per-token cross-entropy, teacher forcing or
 * `--scheduled-sampling`, `--buckets` by the longer side of each pair, `--valid` and `--early-stop`. At
 * the end the greedy exact match on (up to 200) training pairs and, with --valid, validation pairs.
 */
type Values = Readonly<Record<string, unknown>>;

/** Options `unfold train` has that seq2seq training does not take. */
const NOT_FOR_PAIRS = ['tbptt', 'resume', 'checkpoint-every', 'target', 'window', 'report', 'loss'] as const;

/** True when the data file's first record is a seq2seq pair (`{"source": …, "target": …}`). */
export function holdsPairs(path: string): Promise<boolean> {
  return firstRecordHas(path, ['source', 'target']);
}

async function readPairs(path: string, what: string): Promise<PairRecordSet> {
  const set = readRecords(new TextDecoder().decode(await readInputFile(path, what, 'train')), path);
  if (set.format !== 'pairs') throw new UsageError(`${path} holds ${set.format} records, the training data holds source/target pairs`, 'give the validation data as {"source", "target"} records too');
  return set;
}

/** Greedy exact match over the first `limit` pairs of a record set (text pairs only). */
async function greedyExactMatch(model: Parameters<typeof translate>[0], set: PairRecordSet, limit = 200): Promise<number | undefined> {
  if (set.kind !== 'text') return undefined;
  const records = set.records.slice(0, limit);
  const found = await translate(model, records.map((r) => r.source as string));
  return exactMatch(found.map((t) => t.text ?? ''), records.map((r) => r.target as string));
}

/** Trains the spec on the pairs of `values.data` (see the module comment). */
export async function trainPairs(all: Values, given: ModelSpec, io: Io): Promise<number> {
  const values = Object.fromEntries(Object.entries(all).map(([k, v]) => [k, typeof v === 'string' ? v : undefined])) as Readonly<Record<string, string | undefined>>;
  const refused = NOT_FOR_PAIRS.find((name) => values[name] !== undefined);
  if (refused) throw new UsageError(`--${refused} does not apply to seq2seq pairs`, 'leave it out: seq2seq models train with --epochs, --batch, --lr, --seed, --clip-norm, --clip-value, --buckets, --scheduled-sampling, --valid, --early-stop, --tokenizer');
  const epochs = integerOption(values.epochs, 'epochs', 12);
  const batchSize = integerOption(values.batch ?? values['batch-size'], 'batch', 32);
  const learningRate = numberOption(values.lr, 'lr', 0.003);
  const seed = integerOption(values.seed, 'seed', 1, 0);
  const clipNorm = values['clip-norm'] === undefined ? 5 : numberOption(values['clip-norm'], 'clip-norm', 5);
  const clipValue = values['clip-value'] === undefined ? undefined : numberOption(values['clip-value'], 'clip-value', 1);
  const patience = values['early-stop'] === undefined ? undefined : integerOption(values['early-stop'], 'early-stop', 4);
  const buckets = values.buckets === undefined ? undefined : values.buckets === 'auto' ? 'auto' : values.buckets.split(',').map(Number);
  const scheduledSampling = values['scheduled-sampling'] === undefined ? undefined : parseSchedule(values['scheduled-sampling']);
  const backend = choiceOption(values.backend, 'backend', ['wasm', 'cpu'] as const, 'wasm');
  const kind = choiceOption(values.tokenizer, 'tokenizer', ['char', 'word'] as const, 'char');
  const out = resolve(values.out ?? 'model.unfold');
  if (patience !== undefined && values.valid === undefined) throw new UsageError('--early-stop needs --valid', 'pass --valid valid.jsonl with source/target pairs');

  const registry = builtInRegistry();
  if (!probeSpec(registry, given).decoder) throw new UsageError(`${values.data} holds source/target pairs, which train a seq2seq model; ${values.spec} is a ${given.kind} model`, 'pass a seq2seq spec, such as examples/specs/seq2seq-attention.json');
  const set = await readPairs(values.data as string, 'data file');
  const validSet = values.valid ? await readPairs(values.valid, 'validation file') : undefined;
  const givenSource = given.metadata?.sourceTokenizer;
  const givenTarget = given.metadata?.targetTokenizer;
  const fixed = givenSource !== undefined && givenTarget !== undefined ? { source: checkTokenizer(givenSource, `${values.spec} metadata.sourceTokenizer`), target: checkTokenizer(givenTarget, `${values.spec} metadata.targetTokenizer`) } : undefined;
  const train = pairData(set, { kind, ...(fixed ? { tokenizers: fixed } : {}) });
  const tokenizers = train.tokenizers ? { source: train.tokenizers.sourceTokenizer, target: train.tokenizers.targetTokenizer } : undefined;
  const validation = validSet ? pairData(validSet, { kind, ...(tokenizers ? { tokenizers } : {}) }) : undefined;
  if (validation && validSet?.kind !== set.kind) throw new UsageError(`${values.valid} holds ${validSet?.kind} pairs, ${values.data} holds ${set.kind} pairs`, 'give both files text pairs, or both token id pairs');

  const { spec: sized, filled } = fillDataSizes(registry, given, train.sizes);
  const spec: ModelSpec = { ...sized, metadata: { ...sized.metadata, task: 'seq2seq', ...(train.tokenizers ? train.tokenizers.metadata : {}) } };
  await setupBackend({ backend });
  const model = createModel(registry, spec, { seed });
  try {
    const parameters = [...model.variables.values()].reduce((n, v) => n + v.size, 0);
    io.err(`data: ${set.records.length} ${set.kind} pairs, vocabularies of ${train.sizes.input.size} (source) and ${train.sizes.output.size} (target) tokens\n`);
    if (filled.length) io.err(`sizes from the data: ${filled.map((f) => `${f.where}.${f.option} = ${f.value}`).join(', ')}\n`);
    io.err(`model: ${spec.kind} from ${values.spec}, ${parameters} parameters, cross-entropy loss, ${backendLine(backend)}\n`);
    const result = await fit(model, train.data, {
      epochs,
      batchSize,
      loss: 'cross-entropy',
      optimizer: { kind: 'adam', learningRate },
      seed,
      clipNorm,
      ...(clipValue !== undefined ? { clipValue } : {}),
      ...(buckets !== undefined ? { buckets } : {}),
      ...(scheduledSampling ? { scheduledSampling } : {}),
      ...(validation ? { validation: validation.data } : {}),
      ...(patience !== undefined ? { earlyStopping: { patience, restoreBest: true } } : {}),
      progress: consoleProgress({ output: { write: (text: string) => io.err(text), isTTY: io.interactive } }),
    });
    if (result.buckets) io.err(`buckets: boundaries ${result.buckets.boundaries.join(', ') || '(one bucket)'}, ${(100 * result.buckets.savedFraction).toFixed(0)}% of padded steps saved\n`);
    await saveModel(registry, out, model.toModelData());
    const losses = result.history.map((h) => h.loss);
    io.out(`training loss ${losses[0]?.toFixed(4)} → ${losses.at(-1)?.toFixed(4)} over ${losses.length} epochs\n`);
    const trainMatch = await greedyExactMatch(model, set);
    const validMatch = validSet ? await greedyExactMatch(model, validSet) : undefined;
    if (trainMatch !== undefined) io.out(`greedy exact match: ${(100 * trainMatch).toFixed(1)}% of training pairs${validMatch !== undefined ? `, ${(100 * validMatch).toFixed(1)}% of validation pairs` : ''}\n`);
    io.out(`checkpoint written to ${out}\n`);
    return 0;
  } finally {
    model.dispose();
  }
}
