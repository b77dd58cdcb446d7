import { RuntimeError } from './errors';
import type { EntryInfo, UnfoldInfo } from './info/unfold-info';

/**
 * What an entry's interface lets the sequence operations do, as E_UNSUPPORTED errors saying why not:
 * every sequence operation needs a sequence view (one features or tokens input port, one output port);
 * `stream` needs an input for every state (a model exported with `--no-state` has none); `rollout` needs
 * outputs that can become the next input (a forecaster with O = I, or a token model whose outputs score
 * its vocabulary). Declared tasks say what an entry offers; these say what it can actually run.
 */
export function sequenceError(entry: EntryInfo, where: string): RuntimeError | null {
  if (entry.sequence) return null;
  const ports = entry.interface.ports;
  return new RuntimeError('E_UNSUPPORTED', 'this entry is not a sequence model', { where, expected: 'one features or tokens input port and one features or vector output port', got: `inputs ${ports.inputs.map((p) => `${p.name} (${p.kind})`).join(', ') || 'none'}; outputs ${ports.outputs.map((p) => `${p.name} (${p.kind})`).join(', ') || 'none'}`, fix: 'use an operation this entry declares (GET /models lists them)' });
}

/** The entry's sequence view; E_UNSUPPORTED when it has none. */
export function sequenceOf(entry: EntryInfo, where: string): UnfoldInfo {
  const error = sequenceError(entry, where);
  if (error || !entry.sequence) throw error;
  return entry.sequence;
}

export function streamError(info: UnfoldInfo, where: string): RuntimeError | null {
  const missing = info.states.find((s) => s.input === null);
  if (info.states.length > 0 && !missing) return null;
  return new RuntimeError('E_UNSUPPORTED', 'this model cannot continue from a given state', { where, expected: 'a model exported with state inputs (state_in.*)', got: missing ? `no input for state ${missing.path}` : 'a model without recurrent state', fix: 'export it again without --no-state, or use predict (or rollout with feedback "window")' });
}

/** Throws E_UNSUPPORTED unless the model can continue from a given state. */
export function checkStreamable(info: UnfoldInfo, where: string): void {
  const error = streamError(info, where);
  if (error) throw error;
}

function feedsBack(info: UnfoldInfo): boolean {
  if (info.outputKind === 'features') return info.inputKind === 'features' && info.outputSize === info.inputSize;
  return info.inputKind === 'tokens' && info.outputSize === info.inputSize;
}

export function feedbackError(info: UnfoldInfo, where: string): RuntimeError | null {
  if (feedsBack(info)) return null;
  return new RuntimeError('E_UNSUPPORTED', 'this model’s outputs cannot be fed back as inputs', {
    where,
    expected: 'outputs of the input’s size (a forecaster), or a token model whose outputs score the vocabulary',
    got: info.inputKind === 'tokens' ? `a token model with ${info.outputSize} outputs for a vocabulary of ${info.inputSize}` : `${info.outputSize} outputs for ${info.inputSize} input features`,
    fix: 'use predict or stream and build the next inputs yourself',
  });
}

/** Throws E_UNSUPPORTED unless outputs can be fed back as inputs. */
export function checkFeedsBack(info: UnfoldInfo, where: string): void {
  const error = feedbackError(info, where);
  if (error) throw error;
}
