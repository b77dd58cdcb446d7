import { heads, layers } from '@unfold/architectures';
import { cells } from '@unfold/cells/all';
import { buildTokenizer, createRegistry, type ModelSpec } from '@unfold/core';
import { unfoldErrorOf } from '@unfold/testing';
import { describe, expect, it } from 'vitest';
import { csvColumn, featureData, fillDataSizes, languageModelData, losses, parseCsv, probeSpec, readRecords, tokenStreams } from '../src/index';

const registry = createRegistry([...cells, ...layers, ...heads, ...losses]);

describe('JSON-lines records', () => {
  it('reads features with per-sequence class labels and says the sizes', () => {
    const set = readRecords('{"x": [[1, 2], [3, 4]], "y": 2}\n\n{"x": [[0, 1]], "y": 0}\n', 'a.jsonl');
    expect(set.format).toBe('features');
    if (set.format !== 'features') return;
    const { data, sizes } = featureData(set, 'last');
    expect(data.y).toEqual([2, 0]);
    expect(sizes).toEqual({ input: { kind: 'features', size: 2 }, output: { kind: 'classes', size: 3 } });
  });

  it('reads per-step values and token ids', () => {
    const set = readRecords('{"x": [4, 1, 7], "y": [[0.5], [1], [2]]}\n', 't.jsonl');
    if (set.format !== 'features') throw new Error('features');
    expect(featureData(set, 'sequence').sizes).toEqual({ input: { kind: 'tokens', size: 8 }, output: { kind: 'values', size: 1 } });
  });

  it('names the file, the line and the reason of a malformed record', () => {
    const cases: [string, RegExp][] = [
      ['{"x": [[1]], "y": 0}\n{"x": [[1]], "y": 0', /^d\.jsonl:2: not valid JSON/],
      ['{"x": [[1]], "y": 0}\n{"x": [[1, 2]], "y": 0}', /^d\.jsonl:2: x\[0\] has 2 features; expected 1 features per step/],
      ['{"x": [[1]], "y": 0}\n{"x": [["a"]], "y": 0}', /^d\.jsonl:2: x\[0\]\[0\] is not a finite number/],
      ['{"x": [[1]], "y": 0}\n{"text": "hi"}', /^d\.jsonl:2: a text record in a file of features records/],
      ['{"source": "a", "target": [4]}', /^d\.jsonl:1: target is not text/],
      ['{"tree": [1, [2, 3]], "label": 1}', /^d\.jsonl:1: bad tree at tree: not a tree node/],
      ['{"x": [[1]], "y": 0, "z": 1}', /^d\.jsonl:1: unknown field "z"/],
      ['{"x": [[1]], "y": 0}\n{"x": [[1]], "y": 0.5}', /^d\.jsonl:2: y is not a class label/],
      ['{"x": [[1]], "y": [0.5]}\n{"x": [[1]], "y": 1}', /^d\.jsonl:2: y is a class label, the first record has values/],
    ];
    for (const [text, pattern] of cases) {
      const error = unfoldErrorOf(() => {
        const set = readRecords(text, 'd.jsonl');
        if (set.format === 'features') featureData(set, 'last');
      });
      expect(error.code).toBe('E_DATA');
      expect(error.message).toMatch(pattern);
      expect(error.message).not.toContain('\n');
    }
  });

  it('checks per-step targets against the sequence length, naming the line', () => {
    const set = readRecords('{"x": [[1], [2]], "y": [0, 1]}\n{"x": [[1], [2]], "y": [0]}', 's.jsonl');
    if (set.format !== 'features') throw new Error('features');
    expect(unfoldErrorOf(() => featureData(set, 'sequence')).message).toMatch(/^s\.jsonl:2: y does not give a target per step/);
  });

  it('turns text into next-token data and into equal streams', () => {
    const tokenizer = buildTokenizer('char', ['abba']);
    expect(languageModelData(['ab'], tokenizer)).toEqual({ x: [[2, 4, 5]], y: [[4, 5, 3]] });
    const streams = tokenStreams(['abba', 'ab'], tokenizer, 2, 'x');
    expect(streams.x.map((s) => s.length)).toEqual([4, 4]);
    expect(streams.y[0]).toEqual([...streams.x[0]!.slice(1), streams.x[1]![0]]);
  });
});

describe('CSV series', () => {
  it('reads a column, quoted fields included', () => {
    const table = parseCsv('t,"value"\n0,1.5\n\n1,"2"\n', 's.csv');
    expect(Array.from(csvColumn(table, 'value').values)).toEqual([1.5, 2]);
  });

  it('names the line of a malformed row', () => {
    expect(unfoldErrorOf(() => parseCsv('t,v\n0,1\n1\n', 's.csv')).message).toMatch(/^s\.csv:3: 1 fields in a table of 2 columns/);
    expect(unfoldErrorOf(() => csvColumn(parseCsv('t,v\n0,1\n1,x\n', 's.csv'), 'v')).message).toMatch(/^s\.csv:3: non-numeric value in column "v"/);
    expect(unfoldErrorOf(() => csvColumn(parseCsv('t,v\n0,1\n', 's.csv'), 'w')).message).toMatch(/^s\.csv:1: no column "w"; expected one of "t", "v"/);
    expect(unfoldErrorOf(() => csvColumn(parseCsv('t,v\n0,1\n', 's.csv'), undefined)).message).toMatch(/pass --target COLUMN/);
  });
});

describe('sizes filled from the data', () => {
  const classifier: ModelSpec = {
    kind: 'sequence-model',
    config: { readout: 'last' },
    children: { body: { kind: 'gru', config: { inputSize: 'auto', hiddenSize: 12 } }, output: { kind: 'dense', config: { inputSize: 'auto', outputSize: 'auto' } } },
  };

  it('fills input, output and the sizes between parts', () => {
    expect(probeSpec(registry, classifier)).toEqual({ readout: 'last', input: 'features', decoder: false });
    const { spec, filled } = fillDataSizes(registry, classifier, { input: { kind: 'features', size: 3 }, output: { kind: 'classes', size: 4 } });
    expect(filled).toEqual([
      { where: 'body', option: 'inputSize', value: 3 },
      { where: 'output', option: 'inputSize', value: 12 },
      { where: 'output', option: 'outputSize', value: 4 },
    ]);
    expect(spec.children?.output).toMatchObject({ config: { inputSize: 12, outputSize: 4 } });
  });

  it('fills a language model from its vocabulary, and a stack layer by layer (required sizes left out count as auto)', () => {
    const lm: ModelSpec = {
      kind: 'sequence-model',
      children: {
        input: { kind: 'embedding', config: { embeddingSize: 8 } },
        body: { kind: 'stacked', children: { layers: [{ kind: 'recurrent', children: { cell: { kind: 'lstm', config: { hiddenSize: 10 } } } }, { kind: 'recurrent', children: { cell: { kind: 'gru', config: { hiddenSize: 6 } } } }] } },
        output: { kind: 'dense', config: {} },
      },
    };
    const { filled } = fillDataSizes(registry, lm, { input: { kind: 'tokens', size: 30 }, output: { kind: 'classes', size: 30 } });
    expect(Object.fromEntries(filled.map((f) => [`${f.where}.${f.option}`, f.value]))).toEqual({
      'input.vocabularySize': 30,
      'body.layers.0.cell.inputSize': 8,
      'body.layers.1.cell.inputSize': 10,
      'output.inputSize': 6,
      'output.outputSize': 30,
    });
  });

  it('says which size the data cannot fill, and when the spec contradicts the data', () => {
    const open: ModelSpec = { kind: 'sequence-model', children: { body: { kind: 'lstm', config: { inputSize: 'auto', hiddenSize: 'auto' } }, output: { kind: 'dense', config: { inputSize: 'auto', outputSize: 1 } } } };
    expect(unfoldErrorOf(() => fillDataSizes(registry, open, { input: { kind: 'features', size: 2 }, output: { kind: 'values', size: 1 } })).message).toMatch(/body\.config\.hiddenSize/);
    const fixed: ModelSpec = { kind: 'sequence-model', children: { body: { kind: 'lstm', config: { inputSize: 3, hiddenSize: 4 } } } };
    expect(unfoldErrorOf(() => fillDataSizes(registry, fixed, { input: { kind: 'features', size: 2 }, output: { kind: 'values', size: 4 } })).message).toMatch(/reads 3 features per step, the data needs 2/);
    expect(unfoldErrorOf(() => fillDataSizes(registry, { kind: 'lstm', config: { inputSize: 1, hiddenSize: 'auto', forgetBias: 'auto' } }, { input: { kind: 'features', size: 1 }, output: { kind: 'values', size: 1 } })).message).toMatch(/cannot be "auto"/);
  });
});
