import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without types
import { parseOptions, UsageError } from '../src/train-speed/options.mjs';
// @ts-expect-error: a plain ESM script without types
import { CONTENDER_NAMES, contenders } from '../src/train-speed/contenders.mjs';

describe('train-speed options', () => {
  it('defaults to the published configuration, and writes results only then', () => {
    const full = parseOptions([]);
    expect(full).toMatchObject({ cells: ['lstm', 'gru'], hidden: [32, 128, 512], input: 32, steps: 64, batch: 32, full: true, write: true, json: false });
    expect(parseOptions(['--json', '--no-write'])).toMatchObject({ json: true, full: true, write: false });
  });

  it('--quick is short and never writes; explicit options win over it', () => {
    expect(parseOptions(['--quick'])).toMatchObject({ rounds: 3, roundSeconds: 0.25, hidden: [32, 128], full: false, write: false });
    expect(parseOptions(['--quick', '--hidden', '512', '--rounds', '5'])).toMatchObject({ hidden: [512], rounds: 5 });
    expect(parseOptions(['--cells', 'gru'])).toMatchObject({ cells: ['gru'], full: false, write: false });
  });

  it('rejects what it cannot run, saying what it expected', () => {
    expect(() => parseOptions(['--cells', 'lstm,transformer'])).toThrow(/--cells expects lstm and\/or gru, got transformer/);
    expect(() => parseOptions(['--rounds', '0'])).toThrow(/--rounds expects a positive number, got "0"/);
    expect(() => parseOptions(['--bogus'])).toThrow(UsageError);
    expect(() => contenders(['keras'], 'python3')).toThrow(/--contenders expects some of unfold, .*, got keras/);
  });

  it('knows the contenders the issue names', () => {
    expect(CONTENDER_NAMES).toEqual(['unfold', 'unfold-1t', 'unfold-relaxed', 'unfold-tfjs', 'tfjs-layers', 'pytorch-1t', 'pytorch-2t']);
  });
});
