import { RegistryError } from './errors';
import type { AnyPlugin, CellPlugin, HeadPlugin, LayerPlugin, LossPlugin, PluginFamily } from './plugins';

/** Plugin kinds: `lstm`, `leaky-rnn`, or scoped for third parties: `acme/my-cell`. */
const KIND_PATTERN = /^(?:@?[a-z0-9][a-z0-9._-]*\/)?[a-z][a-z0-9-]*$/;

type Definition<P extends AnyPlugin> = Omit<P, 'family' | 'validate'> & {
  /** Cross-option checks after the schema (e.g. "hiddenSize must be divisible by heads"). */
  check?(config: P extends { config: { validate(raw: unknown, where: string): infer C } } ? C : never, where: string): void;
};

export type CellDefinition<K extends string, C> = Definition<CellPlugin<K, C>>;
export type LayerDefinition<K extends string, C> = Definition<LayerPlugin<K, C>>;
export type HeadDefinition<K extends string, C> = Definition<HeadPlugin<K, C>>;
export type LossDefinition<K extends string, C> = Definition<LossPlugin<K, C>>;

const REQUIRED: Record<PluginFamily, readonly string[]> = {
  cell: ['inputSize', 'outputSize', 'state', 'parameters', 'step'],
  layer: ['children', 'inputSize', 'outputSize', 'state', 'forward'],
  head: ['inputSize', 'outputSize', 'parameters', 'apply'],
  loss: ['compute'],
};

function finish<P extends AnyPlugin>(family: PluginFamily, definition: Definition<P>): P {
  const where = `define${family[0]?.toUpperCase()}${family.slice(1)}(${JSON.stringify((definition as { kind?: unknown }).kind)})`;
  const { kind, meta, schemaVersion, config } = definition as unknown as AnyPlugin;
  if (typeof kind !== 'string' || !KIND_PATTERN.test(kind)) {
    throw new RegistryError('invalid plugin kind', { where, expected: 'lower-case kebab-case, optionally scoped: "lstm", "acme/my-cell"', got: JSON.stringify(kind) });
  }
  if (!meta || typeof meta.package !== 'string' || !meta.package || typeof meta.version !== 'string' || !meta.version) {
    throw new RegistryError('plugin meta is missing', { where, expected: 'meta: { package: "<npm name>", version: "<semver>" }', got: JSON.stringify(meta), fix: 'name the package that ships the plugin and its version' });
  }
  if (!Number.isSafeInteger(schemaVersion) || schemaVersion < 1) {
    throw new RegistryError('invalid schemaVersion', { where, expected: 'an integer >= 1', got: String(schemaVersion) });
  }
  if (!config || typeof config.validate !== 'function') {
    throw new RegistryError('plugin has no config schema', { where, expected: 'config: defineConfig({...})', got: typeof config, fix: 'declare the options with defineConfig (use defineConfig({}) for none)' });
  }
  const record = definition as unknown as Record<string, unknown>;
  for (const method of REQUIRED[family]) {
    if (typeof record[method] !== 'function') {
      throw new RegistryError(`plugin is missing ${method}()`, { where, expected: `a ${family} with ${REQUIRED[family].join(', ')}`, got: `no ${method}` });
    }
  }
  const check = definition.check as ((config: unknown, where: string) => void) | undefined;
  const validate = (raw: unknown, at = kind): unknown => {
    const valid = config.validate(raw, at);
    check?.(valid, at);
    return valid;
  };
  return Object.freeze({ ...definition, family, validate }) as unknown as P;
}

export function defineCell<const K extends string, C>(definition: CellDefinition<K, C>): CellPlugin<K, C> {
  return finish<CellPlugin<K, C>>('cell', definition);
}

export function defineLayer<const K extends string, C>(definition: LayerDefinition<K, C>): LayerPlugin<K, C> {
  return finish<LayerPlugin<K, C>>('layer', definition);
}

export function defineHead<const K extends string, C>(definition: HeadDefinition<K, C>): HeadPlugin<K, C> {
  return finish<HeadPlugin<K, C>>('head', definition);
}

export function defineLoss<const K extends string, C>(definition: LossDefinition<K, C>): LossPlugin<K, C> {
  return finish<LossPlugin<K, C>>('loss', definition);
}
