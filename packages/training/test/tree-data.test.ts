import { heads, layers, treeCells } from '@unfold/architectures';
import { createRegistry, setupBackend } from '@unfold/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, fitTrees, readRecords, treeData, type TreeData } from '../src/index';
import { unfoldErrorOf } from '@unfold/testing';

// Tree records ({"tree", "label"}) as training data: sizes and the vocabulary from the data, node labels,
// errors naming file:line, and fitTrees: reproducible for a seed, buckets by tree size, the loss falls.
beforeAll(() => setupBackend());

function read(text: string): TreeData {
  const set = readRecords(text, 't.jsonl');
  if (set.format !== 'tree') throw new Error(`not tree records: ${set.format}`);
  return treeData(set);
}

describe('tree records', () => {
  it('reads bracketed, JSON and indexed trees with class labels; vocabulary and classes from the data', () => {
    const data = read([
      '{"tree": "(+ 1 2)", "label": 3}',
      '{"tree": {"token": "-", "children": [{"token": "7"}, {"token": "2"}]}, "label": 5}',
      '{"tree": {"nodes": [{"token": "*"}, {"token": "2"}, {"token": "2"}], "children": [[1, 2], [], []]}, "label": 4}',
      '{"tree": {"token": "max", "label": 2, "children": [{"token": "2", "label": 2}, {"token": "1"}]}}',
    ].join('\n'));
    expect(data.targets).toEqual([3, 5, 4, 2]);
    expect(data.nodeLabels).toBe(true);
    expect(data.tokenizer?.tokens).toEqual(['<pad>', '<unk>', '<bos>', '<eos>', '2', '1', '*', '+', '-', '7', 'max']);
    expect(data.sizes).toEqual({ input: { kind: 'tokens', size: 11 }, output: { kind: 'classes', size: 6 } });
  });

  it('reads feature trees with value labels', () => {
    const data = read('{"tree": {"features": [1, 0], "children": [{"features": [0, 1]}]}, "label": [0.5]}\n{"tree": {"features": [1, 1]}, "label": [1.5]}');
    expect(data.tokenizer).toBeNull();
    expect(data.sizes).toEqual({ input: { kind: 'features', size: 2 }, output: { kind: 'values', size: 1 } });
  });

  it('names file:line and the node of every bad record', () => {
    const cases: [string, RegExp][] = [
      ['{"tree": "(+ 1 2", "label": 1}', /^t\.jsonl:1: bad tree at tree: unclosed "\("/],
      ['{"tree": "(+ 1 2)"}', /^t\.jsonl:1: the tree has no label/],
      ['{"tree": "(+ 1 2)", "label": 1}\n{"tree": "3", "label": [0.5]}', /^t\.jsonl:2: the label does not match the first record/],
      ['{"tree": "(+ 1 2)", "label": -1}', /^t\.jsonl:1 label: label is not a target/],
      ['{"tree": "(+ 1 2)", "label": 1}\n{"tree": {"features": [1]}, "label": 1}', /^t\.jsonl:2: node tree has features/],
      ['{"tree": {"nodes": [{"token": "a"}], "children": [[0]]}, "label": 1}', /^t\.jsonl:1: bad tree at tree\.nodes\[0\]: cycle/],
      ['{"tree": "(+ 1 2)", "label": 1, "extra": 2}', /^t\.jsonl:1: unknown field "extra" in a tree record/],
    ];
    for (const [text, pattern] of cases) expect(unfoldErrorOf(() => read(text)).message).toMatch(pattern);
  });
});

describe('fitTrees', () => {
  const registry = createRegistry([...layers, ...heads, ...treeCells]);
  // max-of-digits trees, depth ≤ 2: the label is the largest digit (classes 0–3).
  const lines = Array.from({ length: 96 }, (_, i) => {
    const digits = [i % 4, (i * 7) % 4, (i * 5 + 1) % 4];
    const tree = i % 3 === 0 ? `(max ${digits[0]} ${digits[1]})` : `(max ${digits[0]} (max ${digits[1]} ${digits[2]}))`;
    const label = i % 3 === 0 ? Math.max(digits[0] as number, digits[1] as number) : Math.max(...digits);
    return JSON.stringify({ tree, label });
  });
  const data = read(lines.join('\n'));
  const spec = { kind: 'recursive', children: { embedding: { kind: 'embedding', config: { vocabularySize: data.sizes.input.size, embeddingSize: 8 } }, cell: { kind: 'nary-tree-lstm', config: { inputSize: 8, hiddenSize: 12, arity: 2 } }, head: { kind: 'dense', config: { inputSize: 12, outputSize: 4 } } } };

  it('is reproducible for a seed, buckets by tree size, and the loss falls', async () => {
    const runs = [];
    for (let r = 0; r < 2; r++) {
      const model = createModel(registry, spec, { seed: 4 });
      runs.push(await fitTrees(model, data, { epochs: 6, batchSize: 8, learningRate: 0.01, seed: 9, buckets: [4], validation: data }));
      model.dispose();
    }
    const [first, second] = runs as [Awaited<ReturnType<typeof fitTrees>>, Awaited<ReturnType<typeof fitTrees>>];
    expect(second.history).toEqual(first.history);
    expect(first.boundaries).toEqual([4]);
    expect(first.steps).toBe(6 * 12);
    expect(first.history.at(-1)?.loss).toBeLessThan((first.history[0]?.loss as number) * 0.8);
    expect(first.history.at(-1)?.validationAccuracy).toBeGreaterThan(0.5);
  });
});
