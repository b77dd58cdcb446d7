// One way to run TypeScript of this repository without a build, for scripts (experiments, fixture
// generators, the README-example check): esbuild bundles an entry, inlining every workspace package
// (`@unfold/*`) from source through the `@unfold/source` export condition and leaving every npm package an
// external import, resolved from node_modules at run time (so write the bundle inside the repository).
// packages/testing/src/bundle.ts is the same for tests (TypeScript, through the test kit).
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** Bundles `entry` to `outfile` (ESM, Node) and returns `outfile`. */
export async function bundleSource(entry, outfile) {
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'es2022',
    conditions: ['@unfold/source'],
    plugins: [{ name: 'external-npm', setup: (b) => b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@unfold/') ? undefined : { path: args.path, external: true })) }],
    outfile,
    logLevel: 'error',
  });
  return outfile;
}
