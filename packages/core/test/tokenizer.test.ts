import { describe, expect, it } from 'vitest';
import { buildTokenizer, checkTokenizer, decodeIds, encodeText, UNKNOWN_ID } from '../src/tokenizer';

describe('tokenizers', () => {
  it('char: specials first, then by frequency; round-trips text; unknown pieces become <unk>', () => {
    const spec = buildTokenizer('char', ['abba', 'cab']);
    expect(spec.tokens).toEqual(['<pad>', '<unk>', '<bos>', '<eos>', 'a', 'b', 'c']);
    expect(encodeText(spec, 'cab', { bos: true, eos: true })).toEqual([2, 6, 4, 5, 3]);
    expect(decodeIds(spec, encodeText(spec, 'abc', { eos: true }))).toBe('abc');
    expect(encodeText(spec, 'az')).toEqual([4, UNKNOWN_ID]);
    expect(decodeIds(spec, encodeText(spec, 'az'))).toBe('a<unk>');
    expect(encodeText(buildTokenizer('char', ['é✓👍']), '👍')).toEqual([6]);
  });

  it('word: lower-cased words and punctuation, joined back without a space before punctuation', () => {
    const spec = buildTokenizer('word', ['The cat sat.', 'the dog, the cat!']);
    expect(spec.tokens.slice(4, 6)).toEqual(['the', 'cat']);
    expect(decodeIds(spec, encodeText(spec, 'The dog sat, the cat sat!'))).toBe('the dog sat, the cat sat!');
    expect(buildTokenizer('word', ['a a b'], { minCount: 2 }).tokens).toEqual(['<pad>', '<unk>', '<bos>', '<eos>', 'a']);
  });

  it('rejects malformed tokenizers and ids with typed errors', () => {
    expect(() => checkTokenizer({ kind: 'char', tokens: ['a'] })).toThrow(/invalid tokenizer/);
    expect(() => checkTokenizer({ kind: 'bpe', tokens: [] })).toThrow(/invalid tokenizer/);
    expect(() => checkTokenizer({ kind: 'char', tokens: ['<pad>', '<unk>', '<bos>', '<eos>', 'a', 'a'] })).toThrow(/listed twice/);
    expect(checkTokenizer(buildTokenizer('char', ['x'])).tokens).toHaveLength(5);
    expect(() => decodeIds(buildTokenizer('char', ['x']), [9])).toThrow(/token id out of range/);
  });
});
