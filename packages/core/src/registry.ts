import { suggestion } from './config-schema';
import { RegistryError } from './errors';
import type { Plugin } from './plugins';

type AnyPlugin = Plugin;

/**
 * An immutable set of plugins, looked up by kind. A value, not a global: `with` returns a new registry
 * and leaves this one untouched, so two parts of a program can hold different plugin sets.
 */
export interface Registry<P extends Plugin = Plugin> {
  /** Every kind, in registration order. */
  readonly kinds: readonly P['kind'][];
  has(kind: string): kind is P['kind'];
  /** The plugin of this kind, typed by kind; throws RegistryError listing the known kinds. */
  get<K extends P['kind']>(kind: K): Extract<P, { kind: K }>;
  /** `get` for a kind known only at run time (from a spec); `where` names the spec position for the error. */
  lookup(kind: string, where?: string): P;
  /** Like `lookup`, and also checks the family; `where` names the spec position for the error. */
  require<F extends string>(kind: string, family: F, where?: string): Extract<P, { family: F }>;
  /** The plugins of one family. */
  family<F extends string>(family: F): readonly Extract<P, { family: F }>[];
  /** A new registry with these plugins added; duplicate kinds throw. */
  with<const Q extends readonly AnyPlugin[]>(...plugins: Q): Registry<P | Q[number]>;
  [Symbol.iterator](): Iterator<P>;
}

function describePlugin(plugin: AnyPlugin): string {
  return `${plugin.meta.package}@${plugin.meta.version}`;
}

function listKnown(plugins: readonly AnyPlugin[]): string {
  if (plugins.length === 0) return 'none (the registry is empty)';
  const byFamily = new Map<string, string[]>();
  for (const plugin of plugins) byFamily.set(plugin.family, [...(byFamily.get(plugin.family) ?? []), plugin.kind]);
  return [...byFamily].map(([family, kinds]) => `${family}: ${kinds.join(', ')}`).join('; ');
}

/** Builds a registry from plugins. Duplicate kinds throw a RegistryError naming both packages. */
export function createRegistry<const Q extends readonly AnyPlugin[]>(plugins: Q): Registry<Q[number]> {
  const byKind = new Map<string, AnyPlugin>();
  for (const plugin of plugins) {
    if (!plugin || typeof plugin !== 'object' || typeof plugin.kind !== 'string' || typeof plugin.family !== 'string' || typeof plugin.familySpec !== 'object') {
      throw new RegistryError('not a plugin', { where: 'createRegistry', expected: 'objects made by defineCell/defineLayer/defineHead/defineLoss or a family’s define', got: JSON.stringify(plugin) ?? String(plugin) });
    }
    const existing = byKind.get(plugin.kind);
    if (existing) {
      throw new RegistryError(`duplicate kind ${JSON.stringify(plugin.kind)}`, {
        where: 'createRegistry',
        expected: 'each kind once',
        got: `${plugin.kind} from ${describePlugin(existing)} and from ${describePlugin(plugin)}`,
        fix: 'keep one of them, or give the third-party plugin a scoped kind such as "acme/lstm"',
      });
    }
    byKind.set(plugin.kind, plugin);
  }
  const all = Object.freeze([...byKind.values()]);

  function get(kind: string, where = 'registry.get'): AnyPlugin {
    const plugin = byKind.get(kind);
    if (!plugin) {
      throw new RegistryError(`unknown kind ${JSON.stringify(kind)}${suggestion(kind, [...byKind.keys()])}`, {
        where,
        expected: `a registered kind (${listKnown(all)})`,
        got: JSON.stringify(kind),
        fix: 'add the plugin to createRegistry([...]) or registry.with(...), or use a preset such as @unfold/cells/all',
      });
    }
    return plugin;
  }

  const registry: Registry<AnyPlugin> = {
    kinds: Object.freeze([...byKind.keys()]),
    has: (kind: string): kind is string => byKind.has(kind),
    get: (kind: string) => get(kind) as never,
    lookup: (kind: string, where?: string) => get(kind, where),
    require(kind, family, where = 'registry.require') {
      const plugin = get(kind, where);
      if (plugin.family !== family) {
        throw new RegistryError(`${JSON.stringify(kind)} is a ${plugin.family}, not a ${family}`, {
          where,
          expected: `a ${family} (${all.filter((p) => p.family === family).map((p) => p.kind).join(', ') || 'none registered'})`,
          got: `${plugin.family} ${JSON.stringify(kind)}`,
        });
      }
      return plugin as never;
    },
    family: (family) => all.filter((plugin) => plugin.family === family) as never,
    with: (...more) => createRegistry([...all, ...more]) as never,
    [Symbol.iterator]: () => all[Symbol.iterator](),
  };
  return Object.freeze(registry) as unknown as Registry<Q[number]>;
}
