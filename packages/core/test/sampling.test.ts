import { describe, expect, it } from 'vitest';
import { chooseToken, createTokenRng } from '../src/sampling';

const sample = (topP: number | null, topK: number | null = null, temperature = 1) => ({ strategy: 'sample' as const, temperature, topK, topP });

describe('chooseToken: top-p (nucleus)', () => {
  it('keeps the most likely tokens up to the mass, then samples among them in proportion', () => {
    const p = [0.2, 0.5, 0.3];
    const rng = createTokenRng(3);
    const counts = [0, 0, 0];
    for (let i = 0; i < 8000; i++) counts[chooseToken(p, 'probabilities', sample(0.7), rng)]! += 1;
    expect(counts[0]).toBe(0); // 0.5 + 0.3 reach 0.7: token 0 is cut
    expect(Math.abs(counts[1]! / 8000 - 5 / 8)).toBeLessThan(0.02);
  });

  it('is greedy for a tiny mass, and changes nothing at 1', () => {
    const logits = [0.1, 2, -1, 1.9];
    const a = createTokenRng(5);
    for (let i = 0; i < 50; i++) expect(chooseToken(logits, 'logits', sample(1e-9), a)).toBe(1);
    const [b, c] = [createTokenRng(6), createTokenRng(6)];
    for (let i = 0; i < 50; i++) expect(chooseToken(logits, 'logits', sample(1, 3, 0.7), b)).toBe(chooseToken(logits, 'logits', sample(null, 3, 0.7), c));
  });
});
