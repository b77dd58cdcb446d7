import { SPECIAL_TOKENS, type TokenizerSpec } from '@unfold/core';
import type { PairData } from './pairs';
import { dataError, type JsonLine } from './records';
import type { DataSizes } from './spec-sizes';
import { encodeTextPairs, type EncodedPairs } from './text-pairs';

/**
 * Seq2seq training data from JSON lines (records.ts dispatches `{"source", "target"}` records here):
 *
 *   {"source": "hello", "target": "olleh"}        texts: each side gets a tokenizer built from the data
 *   {"source": [7, 9, 4], "target": [5, 8]}       token ids; 0–3 are the specials <pad>, <unk>, <bos>,
 *                                                 <eos>, so the data's own ids start at 4
 *
 * Targets carry no markers (batches add <bos> and <eos>). Every record of a file is of one kind; a bad
 * record is a DataError naming `file:line`.
 */
export interface PairRecord {
  readonly line: number;
  readonly source: string | readonly number[];
  readonly target: string | readonly number[];
}

export interface PairRecordSet {
  readonly format: 'pairs';
  readonly file: string;
  /** `text` (strings on both sides) or `ids` (token id lists on both sides). */
  readonly kind: 'text' | 'ids';
  readonly records: readonly PairRecord[];
}

function readSide(value: unknown, kind: 'text' | 'ids', where: string, side: string): string | number[] {
  if (kind === 'text') {
    if (typeof value !== 'string') throw dataError(where, `${side} is not text`, `a string, as the first record's ${side}`, JSON.stringify(value)?.slice(0, 40) ?? String(value), 'give every record text on both sides, or token id lists on both');
    if (value.length === 0) throw dataError(where, `empty ${side}`, 'at least one character', '""', 'drop empty pairs');
    return value;
  }
  if (!Array.isArray(value) || value.length === 0 || !value.every((id) => Number.isSafeInteger(id) && id >= SPECIAL_TOKENS.length)) {
    throw dataError(where, `${side} is not a list of token ids`, `a non-empty list of integers ≥ ${SPECIAL_TOKENS.length} (0–3 are <pad>, <unk>, <bos>, <eos>)`, JSON.stringify(value)?.slice(0, 40) ?? String(value), 'shift your ids by 4, or give text');
  }
  return value as number[];
}

export function readPairRecords(lines: readonly JsonLine[], file: string): PairRecordSet {
  const kind = typeof lines[0]?.value.source === 'string' ? 'text' : 'ids';
  const records = lines.map((record) => {
    const where = `${file}:${record.line}`;
    return { line: record.line, source: readSide(record.value.source, kind, where, 'source'), target: readSide(record.value.target, kind, where, 'target') };
  });
  return { format: 'pairs', file, kind, records };
}

/** Pairs ready to train, the sizes the spec's "auto" options take, and the tokenizers (text pairs) for the metadata. */
export interface PairTrainingData {
  readonly data: PairData;
  readonly sizes: DataSizes;
  readonly tokenizers: Pick<EncodedPairs, 'sourceTokenizer' | 'targetTokenizer' | 'metadata'> | null;
}

/**
 * Encodes a record set: text with the given tokenizers, or new ones built from these texts (`kind`: char
 * or word); ids as they are, the vocabularies one past the largest id on each side.
 */
export function pairData(set: PairRecordSet, options: { readonly kind?: 'char' | 'word'; readonly tokenizers?: { readonly source: TokenizerSpec; readonly target: TokenizerSpec } } = {}): PairTrainingData {
  if (set.kind === 'text') {
    const encoded = encodeTextPairs(set.records.map((r) => r.source as string), set.records.map((r) => r.target as string), { kind: options.kind ?? 'char' }, options.tokenizers);
    return {
      data: encoded.data,
      sizes: { input: { kind: 'tokens', size: encoded.sourceTokenizer.tokens.length }, output: { kind: 'classes', size: encoded.targetTokenizer.tokens.length } },
      tokenizers: encoded,
    };
  }
  const source = set.records.map((r) => [...(r.source as number[])]);
  const target = set.records.map((r) => [...(r.target as number[])]);
  const largest = (rows: number[][]) => rows.reduce((m, row) => Math.max(m, ...row), 0) + 1;
  return { data: { source, target }, sizes: { input: { kind: 'tokens', size: largest(source) }, output: { kind: 'classes', size: largest(target) } }, tokenizers: null };
}
