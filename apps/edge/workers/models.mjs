// Writes the module the Workers entry imports as `unfold-edge-models`: one import per `.onnx` file in a
// folder (or one file), bundled by wrangler's `Data` rule, and a default export `{ name: bytes }` (a
// model's name is its file name without `.onnx`, as for the other entries). A subfolder of `.onnx` files is
// one multi-entry model (a seq2seq model's encoder, decoder_step, greedy), `{ name: { file: bytes } }`.
//
//   node apps/edge/workers/models.mjs <folder | model.onnx> [out.mjs]   (default out: workers/.models/models.mjs)
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The default output, the file workers/wrangler.toml aliases. */
export const DEFAULT_MODELS_MODULE = join(HERE, '.models', 'models.mjs');

/** `.onnx` files of a folder (sorted) or the one file given. */
export function modelFiles(path) {
  const full = resolve(path);
  if (!statSync(full).isDirectory()) return [full];
  return readdirSync(full).filter((name) => name.endsWith('.onnx')).sort().map((name) => join(full, name));
}

/** Subfolders of `path` holding `.onnx` files: multi-entry models, by folder name. */
export function entryFolders(path) {
  const full = resolve(path);
  if (!statSync(full).isDirectory()) return [];
  return readdirSync(full, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => ({ name: d.name, files: modelFiles(join(full, d.name)).filter((file) => file.endsWith('.onnx')) }))
    .filter((folder) => folder.files.length > 0)
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Writes the module for `path` to `out` and returns `{ out, names }`. */
export function writeModelsModule(path, out = DEFAULT_MODELS_MODULE) {
  const files = modelFiles(path);
  const folders = entryFolders(path);
  if (files.length === 0 && folders.length === 0) throw new Error(`no .onnx files in ${path}`);
  const names = [...files.map((file) => basename(file, '.onnx')), ...folders.map((folder) => folder.name)];
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate) throw new Error(`two models named ${duplicate}`);
  const target = resolve(out);
  mkdirSync(dirname(target), { recursive: true });
  const specifier = (file) => {
    const rel = relative(dirname(target), file).split(sep).join('/');
    return rel.startsWith('.') ? rel : `./${rel}`;
  };
  const entries = folders.flatMap((folder, f) => folder.files.map((file, i) => ({ folder: f, file, id: `entry${f}_${i}` })));
  const folderValue = (folder, f) => `{ ${entries.filter((e) => e.folder === f).map((e) => `${JSON.stringify(basename(e.file))}: ${e.id}`).join(', ')} }`;
  const lines = [
    '// Written by apps/edge/workers/models.mjs: the models bundled into the Worker.',
    ...files.map((file, i) => `import model${i} from ${JSON.stringify(specifier(file))};`),
    ...entries.map((e) => `import ${e.id} from ${JSON.stringify(specifier(e.file))};`),
    `export default { ${[...files.map((file, i) => `${JSON.stringify(basename(file, '.onnx'))}: model${i}`), ...folders.map((folder, f) => `${JSON.stringify(folder.name)}: ${folderValue(folder, f)}`)].join(', ')} };`,
    '',
  ];
  writeFileSync(target, lines.join('\n'));
  return { out: target, names };
}

/** The committed configs: the compact engine's Worker (free plan) and onnxruntime-web's (any ONNX file, paid plan). */
export const WORKER_CONFIGS = Object.freeze({ compact: join(HERE, 'wrangler.json'), 'ort-web': join(HERE, 'wrangler.ort.json') });

/** The default Worker's config (the compact engine). */
export const WORKER_CONFIG = WORKER_CONFIGS.compact;

/**
 * A self-contained Worker project in `dir`: `models.mjs` for the models at `path`, and `wrangler.json`, the
 * committed config of `engine` (`compact`, the default, or `ort-web`) with absolute paths and
 * `unfold-edge-models` pointing at that module, plus `vars`. Returns `{ config, names }`; pass `config` to
 * `wrangler dev|deploy -c`.
 */
export function writeWorkerProject(path, dir, vars = {}, engine = 'compact') {
  if (!Object.hasOwn(WORKER_CONFIGS, engine)) throw new Error(`no Worker for engine ${JSON.stringify(engine)}: expected one of ${Object.keys(WORKER_CONFIGS).join(', ')}`);
  const { out, names } = writeModelsModule(path, join(resolve(dir), 'models.mjs'));
  const base = JSON.parse(readFileSync(WORKER_CONFIGS[engine], 'utf8'));
  const absolute = (p) => (isAbsolute(p) ? p : resolve(HERE, p));
  const alias = Object.fromEntries(Object.entries(base.alias ?? {}).map(([key, value]) => [key, absolute(value)]));
  alias['unfold-edge-models'] = out;
  const config = { ...base, main: absolute(base.main), alias, vars: { ...base.vars, ...vars } };
  const file = join(resolve(dir), 'wrangler.json');
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return { config: file, names };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [path, out] = process.argv.slice(2);
  if (!path) {
    console.error('usage: node apps/edge/workers/models.mjs <folder | model.onnx> [out.mjs]');
    process.exit(2);
  }
  const written = writeModelsModule(path, out);
  console.log(`wrote ${written.out}: ${written.names.join(', ')}`);
}
