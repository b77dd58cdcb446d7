import manifest from '../../package.json' with { type: 'json' };
import type { PluginMeta } from '@unfold/core';

/** The `meta` every plugin of @unfold/cells carries: this package's name and installed version. */
export const CELLS_META: PluginMeta = Object.freeze({ package: manifest.name, version: manifest.version });
