import { BOS_ID, DataError, encodeText, EOS_ID, type TokenizerSpec } from '@unfold/core';
import type { SequenceData } from './sequence-data';
import type { DataSizes } from './spec-sizes';
import { readPairRecords, type PairRecordSet } from './pair-records';
import { readTreeRecords, type TreeRecordSet } from './tree-records';

/**
 * Training data from JSON lines: one JSON object per line, blank lines skipped. The first record decides
 * the format; every line must be of the same format. Errors are DataErrors (E_DATA) naming `file:line`.
 *
 *   {"x": [[0.1, 2], [0.3, 1]], "y": 1}          features [T][I], a class label for the sequence
 *   {"x": [[0.1, 2], [0.3, 1]], "y": [0.5]}      …or a vector of values for the sequence (readout "last")
 *   {"x": [[0.1], [0.3]], "y": [0, 2]}           per-step class labels (readout "sequence")
 *   {"x": [[0.1], [0.3]], "y": [[1.5], [0.2]]}   per-step values
 *   {"x": [[0.1], [0.3]], "y": [null, [0.2]]}     a per-step target may be null: no target, masked out of the loss
 *   {"x": [4, 9, 2], "y": [1, 0, 1]}             token ids instead of feature vectors
 *   {"text": "the cat sat"}                       a language model: predict each next token
 *   {"tree": "(+ 3 (* 4 5))", "label": 3}         a tree model (tree-records.ts: JSON, bracketed or indexed trees)
 *
 * A bare integer target is a class label, a list of numbers a value target, as `SequenceData` has it.
 * Each format's records are read by their own module: `{"tree", "label"}` by tree-records.ts, `{"source",
 * "target"}` (seq2seq pairs) by pair-records.ts.
 */
export interface JsonLine {
  readonly line: number;
  readonly value: Readonly<Record<string, unknown>>;
}

export interface FeatureRecord {
  readonly line: number;
  /** [T][I] features, or [T] token ids. */
  readonly x: readonly (readonly number[])[] | readonly number[];
  readonly y: unknown;
}

export type RecordSet =
  | { readonly format: 'features'; readonly file: string; readonly input: 'features' | 'tokens'; readonly records: readonly FeatureRecord[] }
  | { readonly format: 'text'; readonly file: string; readonly records: readonly { readonly line: number; readonly text: string }[] }
  | TreeRecordSet
  | PairRecordSet;

/** A DataError located at `file:line`. */
export function dataError(where: string, summary: string, expected: string, got: string, fix: string): DataError {
  return new DataError(summary, { where, expected, got, fix });
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Parses JSON lines; every non-blank line must be one JSON object. */
export function parseJsonLines(text: string, file: string): JsonLine[] {
  const lines: JsonLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw dataError(`${file}:${i + 1}`, 'not valid JSON', 'one JSON object per line', (error as Error).message.replace(/\s+/g, ' '), 'fix the line, or write each record on one line');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw dataError(`${file}:${i + 1}`, 'a record must be a JSON object', '{"x": …, "y": …} or {"text": …}', show(value), 'write one object per line');
    lines.push({ line: i + 1, value: value as Record<string, unknown> });
  });
  if (lines.length === 0) throw dataError(file, 'no records', 'at least one JSON object per line', 'an empty file', 'pass a file of training records');
  return lines;
}

const FORMATS: readonly { readonly name: string; readonly keys: readonly string[]; readonly optional?: readonly string[] }[] = [
  { name: 'features', keys: ['x', 'y'] },
  { name: 'text', keys: ['text'] },
  { name: 'pairs', keys: ['source', 'target'] },
  { name: 'tree', keys: ['tree'], optional: ['label'] },
];

function formatOf(record: JsonLine, file: string): (typeof FORMATS)[number] {
  const keys = Object.keys(record.value);
  const format = FORMATS.find((f) => f.keys.every((k) => k in record.value));
  const where = `${file}:${record.line}`;
  if (!format) throw dataError(where, 'unknown record', '{"x": …, "y": …} (features), {"text": …} (language model), {"tree": …, "label": …} (tree model) or {"source": …, "target": …} (seq2seq pairs)', `fields ${keys.map((k) => JSON.stringify(k)).join(', ') || 'none'}`, 'see unfold train --help for the record formats');
  const extra = keys.find((k) => !format.keys.includes(k) && !format.optional?.includes(k));
  if (extra) throw dataError(where, `unknown field ${JSON.stringify(extra)} in a ${format.name} record`, `only ${[...format.keys, ...(format.optional ?? [])].join(', ')}`, JSON.stringify(extra), 'remove the field');
  return format;
}

/** Reads and checks the inputs of every record (targets are read against the model's readout by `featureData`). */
export function readRecords(text: string, file: string): RecordSet {
  const lines = parseJsonLines(text, file);
  const format = formatOf(lines[0] as JsonLine, file);
  for (const record of lines) {
    const other = formatOf(record, file);
    if (other !== format) throw dataError(`${file}:${record.line}`, `a ${other.name} record in a file of ${format.name} records`, `${format.name} records like line ${lines[0]?.line}`, `fields ${Object.keys(record.value).join(', ')}`, 'keep one record format per file');
  }
  if (format.name === 'tree') return readTreeRecords(lines, file);
  if (format.name === 'pairs') return readPairRecords(lines, file);
  if (format.name === 'text') {
    return {
      format: 'text',
      file,
      records: lines.map(({ line, value }) => {
        if (typeof value.text !== 'string') throw dataError(`${file}:${line}`, 'text is not a string', 'a string', show(value.text), 'write the text as a JSON string');
        return { line, text: value.text };
      }),
    };
  }
  let width: number | undefined; // features per step, or 0 for token ids, as the first record has it
  const records = lines.map(({ line, value }) => {
    const where = `${file}:${line}`;
    const x = value.x;
    if (!Array.isArray(x) || x.length === 0) throw dataError(where, 'x is not a non-empty list of steps', 'a list of steps: feature lists [[…], …] or token ids [4, 9, …]', show(x), 'give every record at least one step');
    const stepWidth = Array.isArray(x[0]) ? (x[0] as unknown[]).length : 0;
    width ??= stepWidth;
    x.forEach((step, t) => {
      if (width === 0) {
        if (!Number.isSafeInteger(step) || (step as number) < 0) throw dataError(where, `x[${t}] is not a token id`, 'token ids (integers >= 0) at every step, as the first record has', show(step), 'give every step as an id, or every step as a list of features');
        return;
      }
      if (!Array.isArray(step) || step.length !== width) throw dataError(where, `x[${t}] has ${Array.isArray(step) ? `${step.length} features` : 'no feature list'}`, `${width} features per step (as the first record has)`, show(step), 'give every step of every record the same number of features');
      const bad = step.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
      if (bad >= 0) throw dataError(where, `x[${t}][${bad}] is not a finite number`, 'finite numbers', show(step[bad]), 'clean the data (missing values, NaN)');
    });
    return { line, x: x as FeatureRecord['x'], y: value.y };
  });
  return { format: 'features', file, input: width === 0 ? 'tokens' : 'features', records };
}

/** Feature records as training data for a model with this readout, and the sizes the data needs. */
export interface FeatureData {
  readonly data: SequenceData;
  readonly sizes: DataSizes;
}

type TargetKind = { readonly kind: 'classes' } | { readonly kind: 'values'; readonly width: number };

/** One target: a class id (bare integer) or values (a list of numbers). */
function readTarget(value: unknown, where: string, what: string, expected: TargetKind | undefined): { kind: TargetKind; value: number | number[] } {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw dataError(where, `${what} is not a class label`, 'a class label (integer >= 0), or values as a list such as [0.5]', show(value), 'write a value target as a list: [0.5]');
    if (expected && expected.kind !== 'classes') throw dataError(where, `${what} is a class label, the first record has values`, `a list of ${expected.width} numbers`, show(value), 'give every record the same kind of target');
    return { kind: { kind: 'classes' }, value };
  }
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    if (expected && (expected.kind !== 'values' || expected.width !== value.length)) throw dataError(where, `${what} does not match the first record's target`, expected.kind === 'values' ? `a list of ${expected.width} numbers` : 'a class label (integer >= 0)', show(value), 'give every record the same kind and size of target');
    return { kind: { kind: 'values', width: value.length }, value: value as number[] };
  }
  if (value === null) throw dataError(where, `${what} is null`, 'a class label or a list of values', 'null', 'only a per-step target (readout "sequence") may be null, masking that step out of the loss; give this record a target');
  throw dataError(where, `${what} is not a target`, 'a class label (integer >= 0) or a list of numbers', show(value), 'see unfold train --help for the record formats');
}

/**
 * Targets for the model's readout: one per record (`last`) or one per step (`sequence`). Sizes: features per
 * step (or ids used), and values per target (or classes used, largest label + 1).
 */
export function featureData(set: Extract<RecordSet, { format: 'features' }>, readout: 'sequence' | 'last'): FeatureData {
  let kind: TargetKind | undefined;
  let inputSize = 0;
  let classes = 0;
  const x: SequenceData['x'][number][] = [];
  const y: SequenceData['y'][number][] = [];
  for (const record of set.records) {
    const where = `${set.file}:${record.line}`;
    const steps = record.x.length;
    inputSize = set.input === 'tokens' ? (record.x as number[]).reduce((size, id) => Math.max(size, id + 1), inputSize) : (record.x[0] as number[]).length;
    const one = (value: unknown, what: string) => {
      const read = readTarget(value, where, what, kind);
      kind ??= read.kind;
      if (typeof read.value === 'number') classes = Math.max(classes, read.value + 1);
      return read.value;
    };
    if (readout === 'last') y.push(one(record.y, 'y'));
    else {
      if (!Array.isArray(record.y) || record.y.length !== steps) throw dataError(where, 'y does not give a target per step', `${steps} targets (the model reads out at every step)`, Array.isArray(record.y) ? `${record.y.length}` : show(record.y), 'give one target per step, or a model with readout "last" for one target per record');
      y.push(record.y.map((value, t) => (value === null ? null : one(value, `y[${t}]`))) as (number | number[] | null)[]); // null: masked step
    }
    x.push(record.x as SequenceData['x'][number]);
  }
  if (kind === undefined) throw dataError(set.file, 'every target is null', 'at least one step with a target', 'only null targets', 'give targets at the steps the loss should count');
  const target = kind as TargetKind;
  return {
    data: { x, y },
    sizes: { input: { kind: set.input, size: inputSize }, output: target.kind === 'classes' ? { kind: 'classes', size: classes } : { kind: 'values', size: target.width } },
  };
}

/** Sizes covering two data sets (training and validation); they must hold the same kinds of inputs and targets. */
export function unionSizes(a: DataSizes, b: DataSizes, where: string): DataSizes {
  const same = (p: DataSizes['input'] | DataSizes['output'], q: typeof p, exact: boolean) => p.kind === q.kind && (!exact || p.size === q.size);
  if (!same(a.input, b.input, a.input.kind === 'features') || !same(a.output, b.output, a.output.kind === 'values')) {
    const describe = (s: DataSizes) => `${s.input.kind} (${s.input.size}) → ${s.output.kind} (${s.output.size})`;
    throw dataError(where, 'the validation data does not match the training data', describe(a), describe(b), 'give both files the same features and kind of target');
  }
  return { input: { kind: a.input.kind, size: Math.max(a.input.size, b.input.size) }, output: { kind: a.output.kind, size: Math.max(a.output.size, b.output.size) } };
}

/** Language-model data: per text, inputs `<bos> t₁ … tₙ` and targets `t₁ … tₙ <eos>` (next-token prediction). */
export function languageModelData(texts: readonly string[], tokenizer: TokenizerSpec): SequenceData {
  const x: number[][] = [];
  const y: number[][] = [];
  for (const text of texts) {
    const ids = encodeText(tokenizer, text);
    x.push([BOS_ID, ...ids]);
    y.push([...ids, EOS_ID]);
  }
  return { x, y };
}

/**
 * Text as `streams` equal token streams for truncated BPTT: the texts joined (`<bos> text <eos>` each) and
 * cut into contiguous pieces, one per stream; targets are the inputs shifted by one token.
 */
export function tokenStreams(texts: readonly string[], tokenizer: TokenizerSpec, streams: number, where: string): SequenceData {
  const ids = texts.flatMap((text) => encodeText(tokenizer, text, { bos: true, eos: true }));
  const length = Math.floor((ids.length - 1) / streams);
  if (length < 1) throw dataError(where, 'too little text for the streams', `at least ${streams + 1} tokens (one per stream and one more)`, `${ids.length}`, 'use a smaller --batch, or more text');
  const x = Array.from({ length: streams }, (_, b) => ids.slice(b * length, (b + 1) * length));
  const y = Array.from({ length: streams }, (_, b) => ids.slice(b * length + 1, (b + 1) * length + 1));
  return { x, y };
}
