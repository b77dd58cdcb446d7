// Runs a TypeScript experiment of this folder from source (no build): bundles it with esbuild, inlining the
// workspace packages through their `@unfold/source` export condition, then imports the bundle.
// Usage: node tools/bench/src/experiments/run.mjs scheduled-sampling
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleSource } from '../../../checks/src/bundle-source.mjs';

const name = process.argv[2];
if (!name) {
  console.error('usage: node tools/bench/src/experiments/run.mjs <experiment> (a .ts file of this folder)');
  process.exit(2);
}
// Inside node_modules/.cache, so the bundle's external imports resolve from this repository's node_modules.
const cache = new URL('../../../../node_modules/.cache/unfold-experiments/', import.meta.url).pathname;
mkdirSync(cache, { recursive: true });
const folder = mkdtempSync(cache);
// Where experiments write their results (the bundle's own import.meta.url points into the cache).
process.env.UNFOLD_RESULTS_DIR = new URL('../../results/', import.meta.url).pathname;
const outfile = join(folder, `${name}.mjs`);
try {
  await bundleSource(new URL(`./${name}.ts`, import.meta.url).pathname, outfile);
  await import(pathToFileURL(outfile).href);
} finally {
  rmSync(folder, { recursive: true, force: true });
}
