import { defineConfig, type Options } from 'tsup';

/**
 * The one build recipe every library package uses: ESM + CJS + .d.ts per entry, no bundling of
 * dependencies, Node 20 / ES2022 output. A package's own tsup.config.ts only names its entries (and may
 * ask for ESM only, as the test kit does: vitest cannot be required from CommonJS).
 */
export function libraryBuild(entry: Record<string, string>, formats: Options['format'] = ['esm', 'cjs']): ReturnType<typeof defineConfig> {
  const options: Options = {
    entry,
    format: formats,
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'es2022',
    platform: 'neutral',
    splitting: false,
    treeshake: true,
  };
  return defineConfig(options);
}
