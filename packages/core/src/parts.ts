import { isRecurrence, isSequenceLayer } from './define';
import { ConfigError } from './errors';
import { DEFAULT_INPUT_PORT, DEFAULT_OUTPUT_PORT, type PortSpec } from './ports';
import type { ResolvedNode } from './plugins';
import { DEFAULT_SEMANTICS, type ModelSemantics } from './semantics';
import { stateSpec, type StateSpec } from './state';

/**
 * What generic code (the time loop, training, the exporter) asks of a sequence component, whatever its
 * family: a plugin whose role is `recurrence` (a cell, run forward) or `sequence` (a layer). These read
 * the plugins' declarations; nothing here looks at a kind.
 */

/** What a sequence component's primary input reads: float features [B, T, size], or token ids [B, T] in [0, size). */
export interface InputSpec {
  readonly kind: 'features' | 'tokens';
  readonly size: number;
}

function notSequence(node: ResolvedNode): ConfigError {
  return new ConfigError('not a sequence component', { where: node.path || 'model', expected: 'a cell or a layer (a plugin whose family role is recurrence or sequence)', got: `${node.plugin.family} ${JSON.stringify(node.plugin.kind)}` });
}

export function inputSizeOf(node: ResolvedNode): number {
  const plugin = node.plugin;
  if (isRecurrence(plugin)) return plugin.inputSize(node.config);
  if (isSequenceLayer(plugin)) return plugin.inputSize(node);
  throw notSequence(node);
}

export function outputSizeOf(node: ResolvedNode): number {
  const plugin = node.plugin;
  if (isRecurrence(plugin)) return plugin.outputSize(node.config);
  if (isSequenceLayer(plugin)) return plugin.outputSize(node);
  throw notSequence(node);
}

/** What the component reads: float features, or token ids when its first part is an embedding head. */
export function inputSpecOf(node: ResolvedNode): InputSpec {
  const plugin = node.plugin;
  const kind = isSequenceLayer(plugin) ? (plugin.inputKind?.(node) ?? 'features') : 'features';
  return { kind, size: inputSizeOf(node) };
}

/** The recurrent states, normalised (`shape`, `size`), with names qualified by the node's path (`layers.1.forward.h`). */
export function stateOf(node: ResolvedNode): readonly StateSpec[] {
  const plugin = node.plugin;
  const where = `${node.path || 'model'} (${plugin.kind}) state()`;
  if (isSequenceLayer(plugin)) return plugin.state(node).map((s) => stateSpec(s, where));
  if (isRecurrence(plugin)) return plugin.state(node.config).map((s) => stateSpec(s, where, node.path ? `${node.path}.${s.name}` : s.name));
  throw notSequence(node);
}

/** The component's input and output ports (the default `input` / `output` pair when it declares none). */
export function portsOf(node: ResolvedNode): { readonly inputs: readonly PortSpec[]; readonly outputs: readonly PortSpec[] } {
  const plugin = node.plugin;
  const input = inputSpecOf(node);
  const defaultInputs: readonly PortSpec[] = [{ name: DEFAULT_INPUT_PORT, kind: input.kind, size: input.size }];
  const defaultOutputs: readonly PortSpec[] = [{ name: DEFAULT_OUTPUT_PORT, kind: 'features', size: outputSizeOf(node) }];
  if (!isSequenceLayer(plugin)) return { inputs: defaultInputs, outputs: defaultOutputs };
  return { inputs: plugin.inputs?.(node) ?? defaultInputs, outputs: plugin.outputs?.(node) ?? defaultOutputs };
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What the model reads and emits (semantics.ts): the root's own declaration over the defaults; a token
 * model's vocabulary defaults to its input size, and the tokenizer comes from the spec's metadata.
 */
export function semanticsOf(node: ResolvedNode): ModelSemantics {
  const plugin = node.plugin;
  const declared = isSequenceLayer(plugin) ? (plugin.semantics?.(node) ?? {}) : {};
  const input = inputSpecOf(node);
  const tokenizer = isObject(node.metadata.tokenizer) ? node.metadata.tokenizer : null;
  return Object.freeze({
    ...DEFAULT_SEMANTICS,
    vocabulary: input.kind === 'tokens' ? { size: input.size } : null,
    tokenizer,
    ...declared,
  });
}
