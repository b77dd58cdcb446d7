import { RuntimeError } from './errors';
import type { Operation } from './model';
import type { UnfoldInfo } from './unfold-info';

/**
 * What an unfold model can do, from its interface: `stream` needs an input for every state (a model
 * exported with `--no-state` has none); `rollout` needs outputs that can become the next input (a
 * forecaster with O = I, or a token model whose outputs score its vocabulary).
 */
export function operationsOf(info: UnfoldInfo): Operation[] {
  const streamable = info.states.length > 0 && info.states.every((s) => s.input !== null);
  return ['predict', ...(streamable ? (['stream'] as const) : []), ...(feedsBack(info) ? (['rollout'] as const) : [])];
}

function feedsBack(info: UnfoldInfo): boolean {
  return info.outputKind !== 'features' || (info.inputKind === 'features' && info.outputSize === info.inputSize);
}

/** Throws E_UNSUPPORTED unless the model can continue from a given state. */
export function checkStreamable(info: UnfoldInfo, where: string): void {
  const missing = info.states.find((s) => s.input === null);
  if (info.states.length === 0 || missing) {
    throw new RuntimeError('E_UNSUPPORTED', 'this model cannot continue from a given state', { where, expected: 'a model exported with state inputs (state_in.*)', got: missing ? `no input for state ${missing.path}` : 'a model without recurrent state', fix: 'export it again without --no-state, or use predict (or rollout with feedback "window")' });
  }
}

/** Throws E_UNSUPPORTED unless outputs can be fed back as inputs. */
export function checkFeedsBack(info: UnfoldInfo, where: string): void {
  if (feedsBack(info)) return;
  throw new RuntimeError('E_UNSUPPORTED', 'this model’s outputs cannot be fed back as inputs', {
    where,
    expected: 'outputs of the input’s size (a forecaster), or a token model whose outputs score the vocabulary',
    got: info.inputKind === 'tokens' ? `a token model with ${info.outputSize} outputs for a vocabulary of ${info.inputSize}` : `${info.outputSize} outputs for ${info.inputSize} input features`,
    fix: 'use predict or stream and build the next inputs yourself',
  });
}
