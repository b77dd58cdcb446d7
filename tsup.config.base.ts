import { defineConfig, type Options } from 'tsup';

/**
 * The one build recipe every library package uses: ESM + CJS + .d.ts per entry, no bundling of
 * dependencies, Node 20 / ES2022 output, code shared between entries in shared chunks. A package's own
 * tsup.config.ts only names its entries (and may ask for ESM only, as the test kit does: vitest cannot be
 * required from CommonJS).
 */
export function libraryBuild(entry: Record<string, string>, formats: Options['format'] = ['esm', 'cjs']): ReturnType<typeof defineConfig> {
  const options: Options = {
    entry,
    format: formats,
    // tsup 8's declaration build sets `baseUrl`, which TypeScript 6 deprecates (an error unless silenced).
    dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
    clean: true,
    sourcemap: true,
    target: 'es2022',
    platform: 'neutral',
    // Code shared by several entries (cells' subpaths share the fused-path helpers) goes to shared chunks
    // instead of into every entry's bundle, in the CJS build as well as the ESM one.
    splitting: true,
    treeshake: true,
    // The maps point at the package's own src/ (published with it) instead of embedding it a second time.
    esbuildOptions(options) {
      options.sourcesContent = false;
    },
  };
  return defineConfig(options);
}
