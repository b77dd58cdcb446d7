import { resolve } from 'node:path';
import { checkTokenizer, setupBackend, type ModelSpec, type TokenizerSpec } from '@unfold/core';
import { saveModel } from '@unfold/core/node';
import { createModel, evaluateTrees, fillDataSizes, fitTrees, readRecords, treeData, treeEncoding, treeSize, type DataSizes, type TreeData } from '@unfold/training';
import { firstRecordHas, readInputFile } from '../files';
import type { Io } from '../io';
import { builtInRegistry } from '../models';
import { choiceOption, integerOption, numberOption } from '../options';
import { UsageError } from '../usage-error';
import { backendLine } from '../backend-line';

/**
 * `unfold train --spec tree.json --data trees.jsonl`: a tree model (a `recursive` spec, such as
 * examples/specs/tree-lstm.json) from `{"tree", "label"}` records (@unfold/training's tree-records.ts).
 * The vocabulary of node tokens and the label set come from the data: sizes written "auto" are filled,
 * and the tokenizer goes into the model's metadata (so the checkpoint and the exported file carry it and
 * the edge reads bracketed trees with it). Training is `fitTrees`: Adam, buckets by tree size with
 * `--buckets`, validation and early stopping with `--valid` and `--early-stop`.
 */
type Values = Readonly<Record<string, unknown>>;

/** Options `unfold train` has that tree training does not take. */
const NOT_FOR_TREES = ['tbptt', 'resume', 'scheduled-sampling', 'checkpoint-every', 'tokenizer', 'target', 'window', 'report'] as const;

/** True when the data file's first record is a tree record (`{"tree": …}`). */
export function holdsTrees(path: string): Promise<boolean> {
  return firstRecordHas(path, ['tree']);
}

async function readTrees(path: string, what: string): Promise<TreeData> {
  const set = readRecords(new TextDecoder().decode(await readInputFile(path, what, 'train')), path);
  if (set.format !== 'tree') throw new UsageError(`${path} holds ${set.format} records, the training data holds tree records`, 'give the validation data as {"tree", "label"} records too');
  return treeData(set);
}

function unionSizes(train: DataSizes, valid: DataSizes | undefined, file: string): DataSizes {
  if (!valid) return train;
  if (valid.output.kind !== train.output.kind || valid.input.kind !== train.input.kind || (train.input.kind === 'features' && valid.input.size !== train.input.size)) {
    throw new UsageError(`${file} does not match the training trees (${valid.input.kind} nodes, ${valid.output.kind} labels)`, 'give both files the same kind of nodes and labels');
  }
  return { input: train.input, output: { kind: train.output.kind, size: Math.max(train.output.size, valid.output.size) } };
}

function percent(value: number | undefined): string {
  return value === undefined ? '' : `, accuracy ${(100 * value).toFixed(1)}%`;
}

/** Trains the spec on the tree records of `values.data` (see the module comment). */
export async function trainTrees(all: Values, given: ModelSpec, io: Io): Promise<number> {
  const values = Object.fromEntries(Object.entries(all).map(([k, v]) => [k, typeof v === 'string' ? v : undefined])) as Readonly<Record<string, string | undefined>>;
  const refused = NOT_FOR_TREES.find((name) => values[name] !== undefined);
  if (refused) throw new UsageError(`--${refused} does not apply to tree records`, 'leave it out: tree models train with --epochs, --batch, --lr, --seed, --clip-norm, --clip-value, --buckets, --valid, --early-stop');
  const epochs = integerOption(values.epochs, 'epochs', 12);
  const batchSize = integerOption((values.batch ?? values['batch-size']), 'batch', 32);
  const learningRate = numberOption(values.lr, 'lr', 0.005);
  const seed = integerOption(values.seed, 'seed', 1, 0);
  const clipNorm = values['clip-norm'] === undefined ? undefined : numberOption(values['clip-norm'], 'clip-norm', 1);
  const clipValue = values['clip-value'] === undefined ? undefined : numberOption(values['clip-value'], 'clip-value', 1);
  const patience = values['early-stop'] === undefined ? undefined : integerOption(values['early-stop'], 'early-stop', 4);
  const buckets = values.buckets === undefined ? undefined : values.buckets === 'auto' ? 'auto' : values.buckets.split(',').map(Number);
  const backend = choiceOption(values.backend, 'backend', ['wasm', 'cpu'] as const, 'wasm');
  const out = resolve(values.out ?? 'model.unfold');
  if (patience !== undefined && values.valid === undefined) throw new UsageError('--early-stop needs --valid', 'pass --valid valid.jsonl with tree records');

  const train = await readTrees(values.data as string, 'data file');
  const validation = values.valid ? await readTrees(values.valid as string, 'validation file') : undefined;
  const sizes = unionSizes(train.sizes, validation?.sizes, values.valid as string);
  const defaultLoss = sizes.output.kind === 'classes' ? 'cross-entropy' : 'mse';
  if (values.loss !== undefined && values.loss !== defaultLoss) throw new UsageError(`--loss ${values.loss}: tree models train with ${defaultLoss} for ${sizes.output.kind}`, 'leave --loss out');
  const givenTokenizer = given.metadata?.tokenizer;
  const tokenizer: TokenizerSpec | null = train.tokenizer ? (givenTokenizer !== undefined ? checkTokenizer(givenTokenizer, `${values.spec} metadata.tokenizer`) : train.tokenizer) : null;
  const withVocabulary: DataSizes = tokenizer ? { ...sizes, input: { kind: 'tokens', size: tokenizer.tokens.length } } : sizes;

  const registry = builtInRegistry();
  const { spec: sized, filled } = fillDataSizes(registry, given, withVocabulary);
  const metadata = { ...sized.metadata, task: 'tree', ...(tokenizer ? { tokenizer: { kind: tokenizer.kind, tokens: [...tokenizer.tokens], lowercase: tokenizer.lowercase ?? false } } : {}) };
  const spec: ModelSpec = { ...sized, metadata };
  await setupBackend({ backend });
  const model = createModel(registry, spec, { seed });
  try {
    const parameters = [...model.variables.values()].reduce((n, v) => n + v.size, 0);
    const nodes = train.trees.reduce((n, tree) => n + treeSize(tree), 0);
    io.err(`data: ${train.trees.length} trees (${nodes} nodes), ${tokenizer ? `a vocabulary of ${tokenizer.tokens.length} tokens` : `${sizes.input.size} features per node`}, ${sizes.output.kind === 'classes' ? `${sizes.output.size} classes` : `${sizes.output.size} values per tree`}${train.nodeLabels ? ', labels at nodes' : ''}\n`);
    if (filled.length) io.err(`sizes from the data: ${filled.map((f) => `${f.where}.${f.option} = ${f.value}`).join(', ')}\n`);
    io.err(`model: ${spec.kind} from ${values.spec}, ${parameters} parameters, ${defaultLoss} loss, ${backendLine(backend)}\n`);
    const result = await fitTrees(model, train, {
      epochs,
      batchSize,
      learningRate,
      seed,
      ...(tokenizer ? { tokenizer } : {}),
      ...(clipNorm !== undefined ? { clipNorm } : {}),
      ...(clipValue !== undefined ? { clipValue } : {}),
      ...(buckets !== undefined ? { buckets } : {}),
      ...(validation ? { validation } : {}),
      ...(patience !== undefined ? { patience } : {}),
      onEpoch: (e) => io.err(`epoch ${e.epoch}/${epochs}  loss ${e.loss.toFixed(4)}${e.validationLoss !== undefined ? `  validation ${e.validationLoss.toFixed(4)}${percent(e.validationAccuracy)}` : ''}\n`),
    });
    if (result.boundaries) io.err(`buckets by tree size: boundaries ${result.boundaries.join(', ') || '(one bucket)'}\n`);
    await saveModel(registry, out, model.toModelData());
    const losses = result.history.map((h) => h.loss);
    const fitted = evaluateTrees(model, train, treeEncoding(train, tokenizer ?? undefined));
    io.out(`training loss ${losses[0]?.toFixed(4)} → ${losses.at(-1)?.toFixed(4)} over ${losses.length} epochs${percent(fitted.accuracy)} on the training trees\n`);
    io.out(`checkpoint written to ${out}\n`);
    return 0;
  } finally {
    model.dispose();
  }
}
