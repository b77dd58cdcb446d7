import { resolve } from 'node:path';
import { buildTokenizer, checkTokenizer, deserializeTrainingCheckpoint, isLoss, parseModelSpec, setupBackend, type LossPlugin, type ModelSpec, type Registry, type TokenizerSpec, type TrainingState, type WeightMap } from '@unfold/core';
import { saveModel, saveTrainingCheckpoint } from '@unfold/core/node';
import {
  consoleProgress,
  createModel,
  csvColumn,
  featureData,
  fillDataSizes,
  fit,
  fitStreams,
  forecastingWindows,
  languageModelData,
  normalisationOf,
  parseCsv,
  parseSchedule,
  probeSpec,
  readRecords,
  tokenStreams,
  unionSizes,
  type DataSizes,
  type FitOptions,
  type FitResult,
  type Normalisation,
  type SequenceData,
} from '@unfold/training';
import { readInputFile } from '../files';
import type { Io } from '../io';
import { builtInRegistry } from '../models';
import { writeSpecReport } from '../report/spec-report';
import { choiceOption, integerOption, numberOption } from '../options';
import { UsageError } from '../usage-error';
import { holdsPairs, trainPairs } from './train-pairs';
import { holdsTrees, trainTrees } from './train-trees';
import { backendLine } from '../backend-line';

/** Options of `unfold train --spec`, on top of the shared ones (`--epochs`, `--lr`, `--batch`, `--seed`, `--backend`, `-o`, `--window`). */
export const SPEC_OPTIONS = {
  spec: { type: 'string' },
  data: { type: 'string' },
  valid: { type: 'string' },
  target: { type: 'string' },
  loss: { type: 'string' },
  tokenizer: { type: 'string' },
  tbptt: { type: 'string' },
  buckets: { type: 'string' },
  'scheduled-sampling': { type: 'string' },
  'clip-norm': { type: 'string' },
  'clip-value': { type: 'string' },
  'early-stop': { type: 'string' },
  'batch-size': { type: 'string' },
  'checkpoint-every': { type: 'string' },
  resume: { type: 'string' },
} as const;

/** Options that only the built-in forecaster reads (its model comes from them, not from a spec). */
export const FORECASTER_ONLY = ['cell', 'hidden'] as const;

export const SPEC_HELP = `
Training your own model on your own data:

Usage: unfold train --spec model.json --data train.jsonl [--valid valid.jsonl] [-o model.unfold] [options]

  --spec <file>                 the model spec (JSON: { kind, config, children, metadata }); see examples/specs
  --data <file>                 training data: JSON lines (.jsonl) or a CSV time series (.csv)
  --valid <file>                validation data in the same format (early stopping, restore-best)
  --loss <kind>                 loss plugin (default cross-entropy for class labels and text, mse for values)
  --epochs <n>  --lr <x>  --batch <n> (or --batch-size)  --seed <n>  --backend <wasm|cpu>  -o <path>
                                as above; -o defaults to model.unfold
  --tbptt <k1>[,<k2>]           truncated BPTT over streams: update every k1 steps, backpropagate k2 (>= k1)
                                steps, state carried across windows; text becomes --batch equal streams,
                                feature records must all have one length and a target per step
  --buckets <auto|b1,b2,…>      group sequences by length (boundaries, or at the length quantiles)
  --scheduled-sampling <s>      feed the model's own outputs back with probability 1 − ε: constant:E,
                                linear:K:MIN:C, exponential:K, inverse-sigmoid:K (e.g. inverse-sigmoid:500)
  --clip-norm <x>               clip the global gradient norm (default none)
  --clip-value <x>              clip every gradient value to [−x, x] (default none)
  --early-stop <patience>       stop after this many epochs without improvement, restoring the best weights
  --checkpoint-every <n>        write a resumable training checkpoint (weights, optimizer, position, rng) to
                                the -o file every n optimizer steps and at the end, atomically (the final
                                model replaces it only when restore-best changed the weights after it)
  --resume <file>               continue the run that wrote this training checkpoint, exactly as if it never
                                stopped (same data, batch size and seed; the model, its filled sizes and its
                                tokenizer come from the checkpoint, so --spec may be left out)
  --target <column>             CSV: the column to forecast (default: the only column)
  --window <n>                  CSV: input window in steps (default the spec's metadata.window, else 24)
  --tokenizer <char|word>       text: the tokenizer built from the training file when the spec has none

Data formats (one JSON object per line; the first record decides the format):
  features, one target per sequence (readout "last"): a class label, or values as a list
      {"x": [[0.1, 2.0], [0.3, 1.0], [0.2, 0.5]], "y": 2}
      {"x": [[0.1, 2.0], [0.3, 1.0]], "y": [0.75]}
  features, a target per step (readout "sequence"):
      {"x": [[0.1], [0.3], [0.2]], "y": [0, 1, 1]}
      {"x": [[0.1], [0.3]], "y": [[1.5], [0.2]]}
  token ids instead of feature vectors (a model with an embedding input head):
      {"x": [4, 9, 2], "y": [1, 0, 1]}
  text, a language model (next-token prediction; the tokenizer is saved in the checkpoint and the .onnx):
      {"text": "the cat sat on the mat."}
  trees, a tree model (examples/specs/tree-lstm.json): a tree, bracketed or JSON (labels at nodes optional),
  and a label for the whole tree; the vocabulary and the label set come from the data:
      {"tree": "(+ 3 (* 4 5))", "label": 3}
      {"tree": {"token": "-", "children": [{"token": "7"}, {"token": "2"}]}, "label": 5}
  pairs, a seq2seq model (examples/specs/seq2seq-attention.json): source and target texts (a tokenizer per
  side from the data, --tokenizer char|word), or token id lists (ids from 4; 0–3 are <pad> <unk> <bos> <eos>):
      {"source": "hello", "target": "olleh"}
      {"source": [7, 9, 4], "target": [5, 8]}
  (the batches add <bos>/<eos>; --buckets sorts by the longer side; --scheduled-sampling mixes in the
  decoder's own choices; at the end the greedy exact match on the training and validation pairs)
  CSV time series (a next-value forecaster over sliding windows, readout "last"; normalised with the
  training series' mean and std, written to the spec's metadata with the window):
      time,load
      0,0.82
      1,0.85

Sizes from the data: an integer config option written "auto", or a required one left out, is filled:
  the model's input size from the features per step (or the vocabulary), its output size from the values per
  target (or the number of classes, or the vocabulary), and the sizes between parts (a head reading the body,
  layer i + 1 reading layer i) from what the plugins declare. A size nothing fixes (a hidden size) is an error.

Malformed data stops with one line naming file:line and the reason (exit code 2); so does a diverging run
(E_DIVERGED: a non-finite loss or gradient, or a smoothed loss 100× its best), which leaves the last
checkpoint written by --checkpoint-every intact.
`;

type Values = Partial<Record<keyof typeof SPEC_OPTIONS | 'epochs' | 'lr' | 'batch' | 'seed' | 'backend' | 'out' | 'window' | 'report', string>>;

/** What the loaded data trains: sequences (or streams), the sizes they need, and metadata for the spec. */
interface Prepared {
  readonly train: SequenceData;
  readonly validation?: SequenceData;
  readonly sizes: DataSizes;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly describe: string;
  /** For the report: a CSV forecaster's held-out series (model units) and where its forecast starts. */
  readonly forecast?: { readonly series: Float64Array; readonly start: number; readonly window: number; readonly normalisation: Normalisation };
  /** For the report: a language model's training texts (sample prompts come from them). */
  readonly texts?: readonly string[];
}

const DEFAULT_LOSS: Readonly<Record<DataSizes['output']['kind'], string>> = { classes: 'cross-entropy', values: 'mse' };

async function readText(path: string | undefined, what: string): Promise<string> {
  return new TextDecoder().decode(await readInputFile(path, what, 'train'));
}

async function readSpec(path: string | undefined): Promise<ModelSpec> {
  const text = await readText(path, 'spec file');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path} is not valid JSON: ${(error as Error).message}`, 'write the model spec as one JSON object { kind, config, children, metadata }');
  }
  return parseModelSpec(json, path);
}

function requireReadout(readout: string, wanted: string, why: string): void {
  if (readout !== wanted) throw new UsageError(`${why} needs a model with readout "${wanted}", the spec has "${readout}"`, `set config.readout: "${wanted}" on the spec's sequence model`);
}

async function prepareCsv(values: Values, spec: ModelSpec, readout: string): Promise<Prepared> {
  requireReadout(readout, 'last', 'a CSV series (next-value forecasting)');
  const window = integerOption(values.window, 'window', typeof spec.metadata?.window === 'number' ? spec.metadata.window : 24);
  const train = csvColumn(parseCsv(await readText(values.data, 'data file'), values.data as string), values.target);
  const normalisation = normalisationOf(train.values);
  const windows = (series: Float64Array, file: string) => {
    if (series.length <= window) throw new UsageError(`${file} has ${series.length} values, too few for --window ${window}`, `use a smaller --window, or a longer series`);
    return forecastingWindows(series, { window, normalisation });
  };
  const validSeries = values.valid ? csvColumn(parseCsv(await readText(values.valid, 'validation file'), values.valid), train.name).values : undefined;
  const validation = validSeries ? windows(validSeries, values.valid as string) : undefined;
  const held = validSeries ?? train.values;
  const z = (v: number) => (v - normalisation.mean) / normalisation.std;
  return {
    train: windows(train.values, values.data as string),
    ...(validation ? { validation } : {}),
    sizes: { input: { kind: 'features', size: 1 }, output: { kind: 'values', size: 1 } },
    metadata: { task: 'forecast', target: train.name, window, normalisation: { mean: normalisation.mean, std: normalisation.std } },
    describe: `${train.values.length} values of ${JSON.stringify(train.name)}, windows of ${window}`,
    forecast: { series: held.map(z), start: window, window, normalisation },
  };
}

async function prepareRecords(values: Values, spec: ModelSpec, readout: 'sequence' | 'last', streams: number | undefined): Promise<Prepared> {
  const set = readRecords(await readText(values.data, 'data file'), values.data as string);
  const valid = values.valid ? readRecords(await readText(values.valid, 'validation file'), values.valid) : undefined;
  if (valid && valid.format !== set.format) throw new UsageError(`${values.valid} holds ${valid.format} records, ${values.data} holds ${set.format} records`, 'give the validation data in the training data’s format');
  if (set.format === 'text') {
    requireReadout(readout, 'sequence', 'a language model (text records)');
    const texts = set.records.map((r) => r.text);
    const given = spec.metadata?.tokenizer;
    const tokenizer: TokenizerSpec = given !== undefined ? checkTokenizer(given, `${values.spec} metadata.tokenizer`) : buildTokenizer(choiceOption(values.tokenizer, 'tokenizer', ['char', 'word'] as const, 'char'), texts);
    const validTexts = valid?.format === 'text' ? valid.records.map((r) => r.text) : undefined;
    const vocabulary = tokenizer.tokens.length;
    return {
      train: streams ? tokenStreams(texts, tokenizer, streams, values.data as string) : languageModelData(texts, tokenizer),
      ...(validTexts ? { validation: languageModelData(validTexts, tokenizer) } : {}),
      sizes: { input: { kind: 'tokens', size: vocabulary }, output: { kind: 'classes', size: vocabulary } },
      metadata: { task: 'language-model', tokenizer },
      describe: `${texts.length} texts, a ${tokenizer.kind} tokenizer of ${vocabulary} tokens`,
      texts,
    };
  }
  if (set.format === 'tree') throw new UsageError(`${values.data} holds tree records`, 'train a tree model (a recursive spec such as examples/specs/tree-lstm.json)');
  if (set.format === 'pairs') throw new UsageError(`${values.data} holds source/target pairs`, 'train a seq2seq model (such as examples/specs/seq2seq-attention.json)');
  const train = featureData(set, readout);
  const validation = valid?.format === 'features' ? featureData(valid, readout) : undefined;
  if (streams) {
    const length = set.records[0]?.x.length;
    const other = set.records.find((r) => r.x.length !== length);
    if (other) throw new UsageError(`${values.data}:${other.line}: a stream of ${other.x.length} steps, the first has ${length}`, 'with --tbptt every record is one stream and all have one length');
  }
  return {
    train: train.data,
    ...(validation ? { validation: validation.data } : {}),
    sizes: validation ? unionSizes(train.sizes, validation.sizes, values.valid as string) : train.sizes,
    metadata: {},
    describe: `${set.records.length} sequences of ${train.sizes.input.kind === 'tokens' ? 'token ids' : `${train.sizes.input.size} features`}, ${train.sizes.output.kind === 'classes' ? `${train.sizes.output.size} classes` : `${train.sizes.output.size} values per target`}`,
  };
}

function parseTbptt(text: string | undefined): { k1: number; k2: number } | undefined {
  if (text === undefined) return undefined;
  const [k1, k2 = k1, ...rest] = text.split(',').map(Number);
  if (rest.length || !Number.isSafeInteger(k1) || !Number.isSafeInteger(k2) || (k1 as number) < 1 || (k2 as number) < (k1 as number)) {
    throw new UsageError(`--tbptt must be K1 or K1,K2 with integers 1 <= K1 <= K2, got ${JSON.stringify(text)}`, 'pass e.g. --tbptt 50 or --tbptt 25,50');
  }
  return { k1: k1 as number, k2: k2 as number };
}

function parseBuckets(text: string | undefined): FitOptions['buckets'] {
  if (text === undefined || text === 'auto') return text;
  const boundaries = text.split(',').map(Number);
  if (!boundaries.every((b, i) => Number.isSafeInteger(b) && b >= 1 && (i === 0 || b > (boundaries[i - 1] as number)))) {
    throw new UsageError(`--buckets must be auto or increasing integers, got ${JSON.stringify(text)}`, 'pass e.g. --buckets auto or --buckets 10,20,40');
  }
  return boundaries;
}

function lossPlugin(registry: Registry, name: string, targets: DataSizes['output']['kind']): LossPlugin {
  if (!registry.has(name)) throw new UsageError(`unknown loss ${JSON.stringify(name)}`, `pass one of ${[...registry].filter(isLoss).map((l) => l.kind).join(', ')}`);
  const loss = registry.require(name, 'loss', '--loss') as LossPlugin;
  if ((loss.targets ?? 'values') !== targets) throw new UsageError(`the ${name} loss compares against ${loss.targets ?? 'values'}, the data has ${targets}`, `leave --loss out for ${DEFAULT_LOSS[targets]}`);
  return loss;
}

function rejectWith(values: Readonly<Record<string, unknown>>, names: readonly string[], reason: string, fix: string): void {
  const given = names.find((name) => values[name] !== undefined);
  if (given) throw new UsageError(`--${given} ${reason}`, fix);
}

/** `unfold train --spec … --data …`: see SPEC_HELP. */
export async function trainFromSpec(values: Values & Readonly<Record<string, unknown>>, io: Io): Promise<number> {
  rejectWith(values, FORECASTER_ONLY, 'is for the built-in forecaster; with --spec the model comes from the spec', 'set the model in the spec file');
  if (!values.data) throw new UsageError('missing --data', 'pass --data train.jsonl (or a .csv series)');
  const tbptt = parseTbptt(values.tbptt);
  if (tbptt) rejectWith(values, ['valid', 'buckets', 'scheduled-sampling', 'early-stop', 'checkpoint-every', 'resume'], 'is not available with --tbptt', 'leave it out, or train without --tbptt');
  if (values.batch !== undefined && values['batch-size'] !== undefined) throw new UsageError('--batch and --batch-size both given', 'pass one of them');
  const epochs = integerOption(values.epochs, 'epochs', 12);
  const batchSize = integerOption(values.batch ?? values['batch-size'], values.batch !== undefined ? 'batch' : 'batch-size', 32);
  const learningRate = numberOption(values.lr, 'lr', 0.005);
  const seed = integerOption(values.seed, 'seed', 1, 0);
  const clipNorm = values['clip-norm'] === undefined ? undefined : numberOption(values['clip-norm'], 'clip-norm', 1);
  const clipValue = values['clip-value'] === undefined ? undefined : numberOption(values['clip-value'], 'clip-value', 1);
  const patience = values['early-stop'] === undefined ? undefined : integerOption(values['early-stop'], 'early-stop', 4);
  const checkpointEvery = values['checkpoint-every'] === undefined ? undefined : integerOption(values['checkpoint-every'], 'checkpoint-every', 100);
  const buckets = parseBuckets(values.buckets);
  const scheduledSampling = values['scheduled-sampling'] === undefined ? undefined : parseSchedule(values['scheduled-sampling']);
  const backend = choiceOption(values.backend, 'backend', ['wasm', 'cpu'] as const, 'wasm');
  const out = resolve(values.out ?? 'model.unfold');

  const registry = builtInRegistry();
  const resumed = values.resume ? deserializeTrainingCheckpoint(registry, await readInputFile(values.resume, 'training checkpoint', 'train'), values.resume) : undefined;
  const given = resumed ? resumed.spec : await readSpec(values.spec);
  if (await holdsTrees(values.data)) return trainTrees(values, given, io);
  if (await holdsPairs(values.data)) return trainPairs(values, given, io);
  const { readout, decoder } = probeSpec(registry, given);
  if (decoder) throw new UsageError(`${values.spec} is a seq2seq model, which trains on {"source", "target"} pairs`, 'pass --data pairs.jsonl with one {"source": …, "target": …} record per line (see examples/data/pairs.jsonl)');
  const prepared = values.data.toLowerCase().endsWith('.csv') ? await prepareCsv(values, given, readout) : await prepareRecords(values, given, readout, tbptt ? batchSize : undefined);
  const { spec: sized, filled } = fillDataSizes(registry, given, prepared.sizes);
  const spec: ModelSpec = { ...sized, metadata: { ...sized.metadata, ...prepared.metadata } as ModelSpec['metadata'] };
  const loss = lossPlugin(registry, values.loss ?? DEFAULT_LOSS[prepared.sizes.output.kind], prepared.sizes.output.kind);

  await setupBackend({ backend });
  const model = createModel(registry, spec, { seed });
  try {
    const parameters = [...model.variables.values()].reduce((n, v) => n + v.size, 0);
    io.err(`data: ${prepared.describe}\n`);
    if (filled.length) io.err(`sizes from the data: ${filled.map((f) => `${f.where}.${f.option} = ${f.value}`).join(', ')}\n`);
    io.err(`model: ${spec.kind} from ${resumed ? `${values.resume} (resuming at epoch ${resumed.state.position.epoch}, batch ${resumed.state.position.batch + 1})` : values.spec}, ${parameters} parameters, ${loss.kind} loss, ${backendLine(backend)}\n`);
    const optimizer = { kind: 'adam', learningRate } as const;
    const clipping = { ...(clipNorm !== undefined ? { clipNorm } : {}), ...(clipValue !== undefined ? { clipValue } : {}) };
    let epochLosses: number[];
    let history: FitResult['history'];
    let lastState: TrainingState | undefined;
    if (tbptt) {
      const byEpoch: number[][] = [];
      const streamLength = prepared.train.x[0]?.length ?? 0;
      await fitStreams(model, prepared.train, {
        ...tbptt,
        ...clipping,
        epochs,
        loss,
        optimizer,
        seed,
        onUpdate: ({ epoch, end, loss: value }) => {
          const losses = (byEpoch[epoch - 1] ??= []);
          losses.push(value);
          if (end === streamLength) io.err(`epoch ${epoch}/${epochs}  loss ${fmt(mean(losses))}  (${losses.length} updates of ${tbptt.k1} steps)\n`);
        },
      });
      epochLosses = byEpoch.map(mean);
      history = epochLosses.map((loss, i) => ({ epoch: i + 1, loss }));
    } else {
      const result = await fit(model, prepared.train, {
        ...clipping,
        epochs,
        batchSize,
        loss,
        optimizer,
        seed,
        ...(prepared.validation ? { validation: prepared.validation } : {}),
        ...(buckets ? { buckets } : {}),
        ...(scheduledSampling ? { scheduledSampling } : {}),
        ...(patience !== undefined ? { earlyStopping: { patience, restoreBest: true } } : {}),
        ...(checkpointEvery !== undefined ? { checkpointEvery, onCheckpoint: (state: TrainingState) => ((lastState = state), saveTrainingCheckpoint(registry, out, model, state)) } : {}),
        ...(resumed ? { resume: resumed.state } : {}),
        progress: consoleProgress({ output: { write: (text: string) => io.err(text), isTTY: io.interactive } }),
      });
      epochLosses = result.history.map((h) => h.loss);
      history = result.history;
      if (result.buckets) io.err(`buckets: boundaries ${result.buckets.boundaries.join(', ') || '(one bucket)'}, ${(100 * result.buckets.savedFraction).toFixed(0)}% of padded steps saved\n`);
    }
    // The run's last training checkpoint stays the file (resumable with more --epochs) unless restore-best
    // changed the weights after it; then the final model replaces it.
    if (!lastState || !sameWeights(lastState.weights, model.toModelData().weights)) await saveModel(registry, out, model.toModelData());
    io.out(`training loss ${fmt(epochLosses[0])} → ${fmt(epochLosses.at(-1))} over ${epochLosses.length} epochs\n`);
    io.out(`checkpoint written to ${out}\n`);
    if (values.report !== undefined) io.out(`report written to ${await writeSpecReport(values.report, { model, spec, history, loss: loss.kind, prepared, source: values.spec ?? values.resume ?? 'the spec' })}\n`);
    return 0;
  } finally {
    model.dispose();
  }
}

function sameWeights(a: WeightMap, b: WeightMap): boolean {
  return Object.keys(b).every((name) => a[name] !== undefined && a[name].data.every((v, i) => v === b[name]?.data[i]));
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);
}

function fmt(value: number | undefined): string {
  return value === undefined ? '?' : value.toFixed(4);
}
