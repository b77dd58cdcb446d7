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
  /** The runtime's code when a model failed to load (`E_MODEL`), so callers can print and branch on it. */
  readonly code: string | undefined;

  constructor(message: string, code?: string) {
    super(message);
    this.code = code;
  }
}

type Source = { readonly kind: 'file'; readonly name: string; readonly path: string } | { readonly kind: 'entries'; readonly name: string; readonly path: string; readonly files: Readonly<Record<string, Uint8Array>> };

/** Told about files that are skipped (not regular files: a FIFO, a socket, a device); default: the console. */
export type FolderWarning = (message: string) => void;

const warnOnConsole: FolderWarning = (message) => console.error(`unfold-edge: ${message}`);

/**
 * The folder's `.onnx` entries that are regular files (symbolic links followed). Anything else named
 * `.onnx` — a FIFO would block the read forever, a device never end — is skipped with a warning.
 */
async function onnxFiles(folder: string, warn: FolderWarning): Promise<string[]> {
  const files: string[] = [];
  for (const name of (await readdir(folder)).filter((f) => extname(f) === '.onnx').sort()) {
    const info = await stat(join(folder, name)).catch(() => null);
    if (info?.isFile()) files.push(name);
    else if (info && !info.isDirectory()) warn(`skipping ${join(folder, name)}: not a regular file`);
  }
  return files;
}

/** The folder's `.onnx` files by name when they carry a manifest, else null. */
async function entryFiles(folder: string, warn: FolderWarning): Promise<Record<string, Uint8Array> | null> {
  const names = await onnxFiles(folder, warn);
  if (names.length === 0) return null;
  const files: Record<string, Uint8Array> = Object.create(null) as Record<string, Uint8Array>;
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

async function sources(path: string, warn: FolderWarning): Promise<Source[]> {
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
  if (!info.isDirectory()) throw new ModelFolderError(`--models ${path}: expected a folder or an .onnx file, not a special file`);
  const own = await entryFiles(path, warn);
  if (own) return [{ kind: 'entries', name: basename(path), path, files: own }];
  const found: Source[] = (await onnxFiles(path, warn)).map((f) => ({ kind: 'file', name: basename(f, '.onnx'), path: join(path, f) }));
  for (const sub of (await readdir(path, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    const files = await entryFiles(join(path, sub), warn);
    if (files) found.push({ kind: 'entries', name: sub, path: join(path, sub), files });
  }
  if (found.length === 0) throw new ModelFolderError(`--models ${path}: the folder has no .onnx files`);
  return found;
}

/**
 * The models by name, in a null-prototype object: a file named `__proto__.onnx` (or `constructor.onnx`)
 * is a model like any other, never the map's prototype.
 */
export async function loadModelFolder(runtime: Runtime, path: string, sessionOptions?: SessionOptions, warn: FolderWarning = warnOnConsole): Promise<Record<string, LoadedModel>> {
  const models: Record<string, LoadedModel> = Object.create(null) as Record<string, LoadedModel>;
  const options = sessionOptions ? { sessionOptions } : {};
  const warned = new Set<string>();
  const warnOnce: FolderWarning = (message) => {
    if (!warned.has(message)) warn(message);
    warned.add(message);
  };
  for (const source of await sources(path, warnOnce)) {
    if (models[source.name]) throw new ModelFolderError(`${source.path}: a second model named ${source.name}`);
    try {
      models[source.name] = source.kind === 'file' ? await runtime.load(new Uint8Array(await readFile(source.path)), { name: source.name, ...options }) : await runtime.loadEntries(source.name, source.files, options);
    } catch (error) {
      const reason = isRuntimeError(error) ? error.message : error instanceof Error ? error.message : String(error);
      throw new ModelFolderError(`${source.path}: ${reason}`, isRuntimeError(error) ? error.code : undefined);
    }
  }
  return models;
}
