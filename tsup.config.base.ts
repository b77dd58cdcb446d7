import { defineConfig, type Options } from 'tsup';

/**
 * The one build recipe every library package uses: ESM + CJS + .d.ts per entry, no bundling of
 * dependencies, Node 20 / ES2022 output. A package's own tsup.config.ts only names its entries.
 */
export function libraryBuild(entry: Record<string, string>): ReturnType<typeof defineConfig> {
  const options: Options = {
    entry,
    format: ['esm', 'cjs'],
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
