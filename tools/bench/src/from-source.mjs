// The unfold packages a bench needs, from the working tree: `lines` (export statements) bundled with esbuild
// through the `@unfold/source` export condition into one ESM file and imported, so the figures are always
// those of the current sources without a build; tfjs and onnxruntime stay external (node_modules).
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Bundles `lines` into `outfile` and imports it. */
export async function importFromSource(lines, outfile) {
  mkdirSync(dirname(outfile), { recursive: true });
  await build({ stdin: { contents: lines.join('\n'), resolveDir: root, loader: 'ts' }, bundle: true, format: 'esm', platform: 'node', target: 'es2022', conditions: ['@unfold/source'], external: ['@tensorflow/*', 'onnxruntime-*'], outfile, logLevel: 'error' });
  return import(pathToFileURL(outfile).href);
}
