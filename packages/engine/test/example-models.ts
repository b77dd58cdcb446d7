import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { attentionScorers, heads, layers, treeCells } from '@unfold/architectures';
import { cells } from '@unfold/cells/all';
import { buildTokenizer, createRegistry, initWeights, isSequenceLayer, parseModelSpec, resolveModel, type ModelSpec, type Registry, type WeightMap } from '@unfold/core';
import { exportModel, exportModelEntries } from '@unfold/onnx';
import { featureData, fillDataSizes, pairData, probeSpec, readRecords, treeData, type DataSizes } from '@unfold/training';

/**
 * The models of examples/specs as `unfold train --spec` would make them before its first step: sizes
 * written "auto" filled from the spec's data file in examples/data (features per step, classes, the
 * vocabularies of a char tokenizer built from the data, which goes into the metadata as the CLI writes it),
 * weights from the initialisers, and the files `unfold export` writes: one .onnx file, or a folder of
 * entries (a seq2seq model's encoder, decoder step and greedy decoder) given here by file name.
 */
export const EXAMPLES = join(import.meta.dirname, '../../../examples');

/** Each spec's training data, as examples/README.md pairs them; a spec missing here fails the test that lists the folder. */
export const EXAMPLE_DATA: Readonly<Record<string, string>> = {
  'char-lm': 'text.jsonl',
  forecaster: 'series.csv',
  'ntm-copy': 'ntm-copy.jsonl',
  'seq2seq-attention': 'pairs.jsonl',
  'sequence-classifier': 'sequences.jsonl',
  tagger: 'tags.jsonl',
  'tree-lstm': 'trees.jsonl',
};

export interface ExampleModel {
  readonly name: string;
  readonly registry: Registry;
  /** The spec with every size filled. */
  readonly spec: ModelSpec;
  readonly weights: WeightMap;
  /** The exported files by name: `model.onnx` for a single file, else the folder's `<entry>.onnx` files. */
  readonly files: Readonly<Record<string, Uint8Array>>;
}

/** Every plugin the command line knows (what `unfold train` and `unfold export` resolve specs with). */
export function exampleRegistry(): Registry {
  return createRegistry([...cells, ...layers, ...heads, ...treeCells, ...attentionScorers]);
}

/** The spec names in examples/specs (file names without `.json`). */
export function exampleSpecNames(): string[] {
  return readdirSync(join(EXAMPLES, 'specs'))
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

/** The sizes (and metadata) the data gives the spec, read the way `unfold train --spec --data` reads it. */
function fromData(registry: Registry, spec: ModelSpec, file: string): { sizes: DataSizes; metadata: Record<string, unknown> } {
  if (file.endsWith('.csv')) return { sizes: { input: { kind: 'features', size: 1 }, output: { kind: 'values', size: 1 } }, metadata: { task: 'forecast' } };
  const set = readRecords(readFileSync(join(EXAMPLES, 'data', file), 'utf8'), file);
  switch (set.format) {
    case 'text': {
      const tokenizer = buildTokenizer('char', set.records.map((r) => r.text));
      const vocabulary = tokenizer.tokens.length;
      return { sizes: { input: { kind: 'tokens', size: vocabulary }, output: { kind: 'classes', size: vocabulary } }, metadata: { task: 'language-model', tokenizer } };
    }
    case 'features':
      return { sizes: featureData(set, probeSpec(registry, spec).readout).sizes, metadata: {} };
    case 'pairs': {
      const pairs = pairData(set, { kind: 'char' });
      return { sizes: pairs.sizes, metadata: { task: 'seq2seq', ...(pairs.tokenizers?.metadata ?? {}) } };
    }
    case 'tree': {
      const trees = treeData(set);
      const tokenizer = trees.tokenizer;
      const sizes: DataSizes = tokenizer ? { ...trees.sizes, input: { kind: 'tokens', size: tokenizer.tokens.length } } : trees.sizes;
      return { sizes, metadata: { task: 'tree', ...(tokenizer ? { tokenizer } : {}) } };
    }
  }
}

/** Builds and exports the spec `name` of examples/specs (see the module comment). */
export function exampleModel(name: string, seed = 1): ExampleModel {
  const data = EXAMPLE_DATA[name];
  if (data === undefined) throw new Error(`examples/specs/${name}.json has no data file in EXAMPLE_DATA: add the file it trains on (examples/README.md)`);
  const registry = exampleRegistry();
  const given = parseModelSpec(JSON.parse(readFileSync(join(EXAMPLES, 'specs', `${name}.json`), 'utf8')), `${name}.json`);
  const { sizes, metadata } = fromData(registry, given, data);
  const sized = fillDataSizes(registry, given, sizes).spec;
  const spec: ModelSpec = { ...sized, metadata: { ...sized.metadata, ...metadata } as ModelSpec['metadata'] };
  const root = resolveModel(registry, spec);
  const weights = initWeights(root, seed);
  // As `unfold export`: a model declaring entries of its own is a folder, any other one file (trees too).
  const folder = isSequenceLayer(root.plugin) && root.plugin.exports !== undefined;
  const files = folder ? Object.fromEntries(exportModelEntries(registry, { spec, weights }).entries.map((e) => [e.file, e.bytes])) : { 'model.onnx': exportModel(registry, { spec, weights }) };
  return { name, registry, spec, weights, files };
}
