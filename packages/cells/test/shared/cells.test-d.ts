import type { CellPlugin } from '@unfold/core';
import { describe, expectTypeOf, it } from 'vitest';
import { gruCell, type GruConfig, type GruConfigInput } from '../../src/gru/index';
import { lstmCell, type LstmConfig, type LstmConfigInput } from '../../src/lstm/index';
import { rnnCell, type RnnConfig, type RnnConfigInput } from '../../src/rnn/index';

describe('cell plugin types', () => {
  it('keeps literal kinds and the validated config types', () => {
    expectTypeOf(rnnCell).toMatchTypeOf<CellPlugin<'rnn', RnnConfig>>();
    expectTypeOf(lstmCell).toMatchTypeOf<CellPlugin<'lstm', LstmConfig>>();
    expectTypeOf(gruCell).toMatchTypeOf<CellPlugin<'gru', GruConfig>>();
    expectTypeOf(lstmCell.kind).toEqualTypeOf<'lstm'>();
    expectTypeOf(lstmCell.validate({})).toEqualTypeOf<LstmConfig>();
  });

  it('types validated configs with defaults filled and clip optional', () => {
    expectTypeOf<RnnConfig>().toEqualTypeOf<{ readonly inputSize: number; readonly hiddenSize: number; readonly bias: boolean; readonly activation: 'tanh' | 'relu' }>();
    expectTypeOf<GruConfig>().toEqualTypeOf<{ readonly inputSize: number; readonly hiddenSize: number; readonly bias: boolean; readonly linearBeforeReset: boolean }>();
    expectTypeOf<LstmConfig['clip']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<LstmConfig['forgetBias']>().toEqualTypeOf<number>();
  });

  it('lets users leave out options with defaults, but not the sizes', () => {
    expectTypeOf<{ inputSize: 3; hiddenSize: 8 }>().toMatchTypeOf<LstmConfigInput>();
    expectTypeOf<{ inputSize: 3; hiddenSize: 8; activation: 'relu' }>().toMatchTypeOf<RnnConfigInput>();
    expectTypeOf<{ inputSize: 3 }>().not.toMatchTypeOf<GruConfigInput>();
  });
});
