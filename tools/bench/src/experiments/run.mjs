// Runs a TypeScript experiment of this folder from source (no build): bundles it with esbuild, inlining the
// workspace packages through their `@unfold/source` export condition, then imports the bundle.
// Usage: node tools/bench/src/experiments/run.mjs scheduled-sampling
import { mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleSource } from '../../../checks/src/bundle-source.mjs';

const name = process.argv[2];
if (!name) {
  console.error('usage: node tools/bench/src/experiments/run.mjs <experiment> (a .ts file of this folder)');
  process.exit(2);
}
// Inside node_modules/.cache, so the bundle's external imports resolve from this repository's node_modules;
// three folders below the root, as the bench helpers it inlines sit in tools/bench/src (they find the
// repository root, its commit and versions three folders up from themselves).
const cache = new URL('../../../../node_modules/.cache/unfold-experiments/', import.meta.url).pathname;
mkdirSync(cache, { recursive: true });
// Where experiments write their results (the bundle's own import.meta.url points into the cache); relative
// to the repository root when run from there, so the command the results record names no machine's path.
const results = new URL('../../results/', import.meta.url).pathname;
const root = new URL('../../../../', import.meta.url).pathname;
process.env.UNFOLD_RESULTS_DIR ??= process.cwd() + '/' === root ? `${relative(root, results)}/` : results;
const outfile = join(cache, `${name}-${process.pid}.mjs`);
try {
  await bundleSource(new URL(`./${name}.ts`, import.meta.url).pathname, outfile);
  await import(pathToFileURL(outfile).href);
} finally {
  rmSync(outfile, { force: true });
}
