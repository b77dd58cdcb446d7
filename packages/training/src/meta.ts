import type { PluginMeta } from '@unfold/core';
import manifest from '../package.json' with { type: 'json' };

export const TRAINING_META: PluginMeta = Object.freeze({ package: manifest.name, version: manifest.version });
