import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { isEntryFile, isRuntimeError, readModelInfo, type LoadedModel, type Runtime, type SessionOptions } from '@unfold/runtime';

/**
 * Loads the models a server entry serves from `--models`: one `.onnx` file, or a folder where every
 * `.onnx` file is a model (name = file name without `.onnx`) and every sub-folder whose `.onnx` files
 * carry a manifest (`unfold.entries`) is one multi-entry model named after the sub-folder. A folder whose
 * own files carry a manifest is itself one multi-entry model. Uses `node:fs`, which Node, Bun and Deno all
 * provide; the handler itself never touches files. A file that is not a loadable model stops the server
 * with its name and the reason.
 */
export class ModelFolderError extends Error {
  override readonly name = 'ModelFolderError';
}

type Source = { readonly kind: 'file'; readonly name: string; readonly path: string } | { readonly kind: 'entries'; readonly name: string; readonly path: string; readonly files: Readonly<Record<string, Uint8Array>> };

async function onnxFiles(folder: string): Promise<string[]> {
  return (await readdir(folder)).filter((f) => extname(f) === '.onnx').sort();
}

/** The folder's `.onnx` files by name when they carry a manifest, else null. */
async function entryFiles(folder: string): Promise<Record<string, Uint8Array> | null> {
  const names = await onnxFiles(folder);
  if (names.length === 0) return null;
  const files: Record<string, Uint8Array> = {};
  for (const name of names) files[name] = new Uint8Array(await readFile(join(folder, name)));
  const carriesManifest = Object.values(files).some((bytes) => {
    try {
      return isEntryFile(readModelInfo(bytes));
    } catch {
      return false;
    }
  });
  return carriesManifest ? files : null;
}

async function sources(path: string): Promise<Source[]> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new ModelFolderError(`--models ${path}: no such file or folder`);
  }
  if (info.isFile()) {
    if (extname(path) !== '.onnx') throw new ModelFolderError(`--models ${path}: expected a folder or an .onnx file`);
    return [{ kind: 'file', name: basename(path, '.onnx'), path }];
  }
  const own = await entryFiles(path);
  if (own) return [{ kind: 'entries', name: basename(path), path, files: own }];
  const found: Source[] = (await onnxFiles(path)).map((f) => ({ kind: 'file', name: basename(f, '.onnx'), path: join(path, f) }));
  for (const sub of (await readdir(path, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    const files = await entryFiles(join(path, sub));
    if (files) found.push({ kind: 'entries', name: sub, path: join(path, sub), files });
  }
  if (found.length === 0) throw new ModelFolderError(`--models ${path}: the folder has no .onnx files`);
  return found;
}

export async function loadModelFolder(runtime: Runtime, path: string, sessionOptions?: SessionOptions): Promise<Record<string, LoadedModel>> {
  const models: Record<string, LoadedModel> = {};
  const options = sessionOptions ? { sessionOptions } : {};
  for (const source of await sources(path)) {
    if (models[source.name]) throw new ModelFolderError(`${source.path}: a second model named ${source.name}`);
    try {
      models[source.name] = source.kind === 'file' ? await runtime.load(new Uint8Array(await readFile(source.path)), { name: source.name, ...options }) : await runtime.loadEntries(source.name, source.files, options);
    } catch (error) {
      const reason = isRuntimeError(error) ? error.message : error instanceof Error ? error.message : String(error);
      throw new ModelFolderError(`${source.path}: ${reason}`);
    }
  }
  return models;
}
