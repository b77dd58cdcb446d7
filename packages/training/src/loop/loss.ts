import { ConfigError, isLoss, type LossPlugin, type Registry } from '@unfold/core';
import { binaryCrossEntropy } from '../losses/binary-cross-entropy';
import { crossEntropy } from '../losses/cross-entropy';
import { mse } from '../losses/mse';

/** A loss for fit: a built-in kind, a loss plugin, or either with its config (`{ kind, config }`). */
export type LossOption = 'mse' | 'cross-entropy' | 'binary-cross-entropy' | LossPlugin | { readonly kind: string | LossPlugin; readonly config?: unknown };

const BUILT_IN_LOSSES: Readonly<Record<string, LossPlugin>> = { mse, 'cross-entropy': crossEntropy, 'binary-cross-entropy': binaryCrossEntropy };

function isPlugin(value: unknown): value is LossPlugin {
  return typeof value === 'object' && value !== null && 'familySpec' in value && isLoss(value as LossPlugin);
}

/**
 * The loss plugin and its validated config. `{ kind, config }` names a built-in loss, a loss kind in the
 * model's registry, or a plugin; the config is validated by the plugin's schema (default `{}`).
 */
export function resolveLoss(option: LossOption, registry: Registry): { loss: LossPlugin; config: unknown } {
  const withConfig = typeof option === 'object' && option !== null && !isPlugin(option) ? option : undefined;
  const named = withConfig ? withConfig.kind : option;
  let loss: unknown = named;
  if (typeof named === 'string') loss = BUILT_IN_LOSSES[named] ?? (registry.has(named) ? registry.lookup(named, 'fit loss') : undefined);
  if (!isPlugin(loss)) throw new ConfigError('unknown loss', { where: 'fit', expected: '"mse", "cross-entropy", "binary-cross-entropy", a loss plugin, or { kind, config } naming a loss in the registry', got: JSON.stringify(typeof named === 'object' ? (named as { kind?: unknown })?.kind : named) });
  return { loss, config: loss.validate(withConfig?.config ?? {}, `loss ${loss.kind}`) };
}
