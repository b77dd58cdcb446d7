import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without types
import { assertWithinCeiling, CeilingExceededError, exitOnCeilingExceeded } from '../src/sanity.mjs';

interface Row { name: string; fraction: number }
const check = (rows: Row[]) => assertWithinCeiling(rows, (row: Row) => row.name, (row: Row) => [{ what: 'of the matMul ceiling', fraction: row.fraction }]);

describe('the benches\' ceiling check', () => {
  it('passes fractions up to 100% and rows without a ceiling', () => {
    expect(() => check([{ name: 'a', fraction: 0.4 }, { name: 'b', fraction: 1 }, { name: 'c', fraction: Number.NaN }])).not.toThrow();
  });

  it('names every row above 100%, with its figure', () => {
    let error: (Error & { offenders: { row: string }[] }) | undefined;
    try {
      check([{ name: 'lstm hidden 128 unfold', fraction: 3.67 }, { name: 'fine', fraction: 0.5 }, { name: 'gru hidden 32 unfold', fraction: 1.01 }]);
    } catch (caught) {
      error = caught as typeof error;
    }
    expect(error).toBeInstanceOf(CeilingExceededError);
    expect(error!.offenders.map((o) => o.row)).toEqual(['lstm hidden 128 unfold', 'gru hidden 32 unfold']);
    expect(error!.message).toContain('lstm hidden 128 unfold: of the matMul ceiling = 367%');
    expect(error!.message).toContain('gru hidden 32 unfold: of the matMul ceiling = 101%');
  });

  it('turns the error into exit code 1 and rethrows anything else', async () => {
    const before = process.exitCode;
    const errors: string[] = [];
    const original = console.error;
    console.error = (message: string) => errors.push(message);
    try {
      await exitOnCeilingExceeded(async () => check([{ name: 'row x', fraction: 2 }]));
      expect(process.exitCode).toBe(1);
      expect(errors.join('\n')).toContain('row x');
    } finally {
      console.error = original;
      process.exitCode = before;
    }
    await expect(exitOnCeilingExceeded(async () => { throw new TypeError('other'); })).rejects.toThrow('other');
  });
});
