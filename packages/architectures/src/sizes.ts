import { ConfigError, type ResolvedNode, type StateSpec } from '@unfold/core';
import type { InputSpec } from './input-checks';

/**
 * Sizes of a sequence component that is either a cell (run forward by an implicit recurrent loop) or a
 * layer. Stacked and bidirectional layers accept both as children.
 */
export function inputSizeOf(node: ResolvedNode): number {
  const plugin = node.plugin;
  if (plugin.family === 'cell') return plugin.inputSize(node.config);
  if (plugin.family === 'layer') return plugin.inputSize(node);
  throw notSequence(node);
}

/** What the component reads: float features, or token ids when its first part is an embedding head. */
export function inputSpecOf(node: ResolvedNode): InputSpec {
  const plugin = node.plugin;
  const kind = plugin.family === 'layer' ? (plugin.inputKind?.(node) ?? 'features') : 'features';
  return { kind, size: inputSizeOf(node) };
}

export function outputSizeOf(node: ResolvedNode): number {
  const plugin = node.plugin;
  if (plugin.family === 'cell') return plugin.outputSize(node.config);
  if (plugin.family === 'layer') return plugin.outputSize(node);
  throw notSequence(node);
}

/** The recurrent states, with names qualified by the node's path (`layers.1.forward.h`). */
export function stateOf(node: ResolvedNode): readonly StateSpec[] {
  const plugin = node.plugin;
  if (plugin.family === 'layer') return plugin.state(node);
  if (plugin.family === 'cell') return plugin.state(node.config).map((s) => ({ name: node.path ? `${node.path}.${s.name}` : s.name, size: s.size }));
  throw notSequence(node);
}

function notSequence(node: ResolvedNode): ConfigError {
  return new ConfigError('not a sequence component', { where: node.path || 'model', expected: 'a cell or a layer', got: `${node.plugin.family} ${JSON.stringify(node.plugin.kind)}` });
}

/** Throws a ConfigError unless `child` takes inputs of `size` features. */
export function expectInputSize(child: ResolvedNode, size: number, because: string): void {
  const got = inputSizeOf(child);
  if (got !== size) {
    throw new ConfigError('input size does not match', {
      where: child.path,
      expected: `inputSize ${size} (${because})`,
      got: `inputSize ${got}`,
      fix: `set inputSize: ${size} in ${child.path}'s config`,
    });
  }
}
