import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { build } from 'esbuild';

/**
 * Bundles a TypeScript entry for running in a separate process (node, bun, deno, workerd) without a
 * build: every workspace package (`@unfold/*`) is inlined from source through the `@unfold/source`
 * export condition, and every npm package stays an external import resolved from node_modules at run
 * time. (esbuild's `packages: 'external'` would also leave `@unfold/*` external, pointing at `dist/`,
 * which a fresh clone does not have.) Returns the output file.
 */
export async function bundleFromSource(entry: string, outfile: string): Promise<string> {
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'es2022',
    conditions: ['@unfold/source'],
    plugins: [
      {
        name: 'external-npm-packages',
        setup: (b) => b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@unfold/') ? undefined : { path: args.path, external: true })),
      },
    ],
    outfile,
    logLevel: 'error',
  });
  return outfile;
}
