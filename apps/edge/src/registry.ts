import type { LoadedModel } from '@unfold/runtime';

/**
 * Where the handler finds models by name. Loading is the caller's business (bytes in: a folder on Node,
 * Bun and Deno, bundled files on Workers), so the handler needs no file system.
 */
export interface ModelRegistry {
  names(): readonly string[];
  /** The model, or undefined for an unknown name. A rejected load is an internal fault (500). */
  get(name: string): Promise<LoadedModel | undefined>;
}

/** Models already loaded, by name. */
export function staticRegistry(models: Readonly<Record<string, LoadedModel>> | ReadonlyMap<string, LoadedModel>): ModelRegistry {
  const map = models instanceof Map ? new Map(models) : new Map(Object.entries(models));
  const names = Object.freeze([...map.keys()].sort());
  return { names: () => names, get: async (name) => map.get(name) };
}

/**
 * Models loaded on first use (a Worker's cold start loads only what is asked for). A failed load is
 * forgotten, so the next request tries again.
 */
export function lazyRegistry(names: readonly string[], load: (name: string) => Promise<LoadedModel>): ModelRegistry {
  const known = Object.freeze([...names].sort());
  const loading = new Map<string, Promise<LoadedModel>>();
  return {
    names: () => known,
    get(name) {
      if (!known.includes(name)) return Promise.resolve(undefined);
      let pending = loading.get(name);
      if (!pending) {
        pending = load(name);
        loading.set(name, pending);
        pending.catch(() => loading.delete(name));
      }
      return pending;
    },
  };
}
