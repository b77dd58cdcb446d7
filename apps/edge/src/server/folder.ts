import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { isRuntimeError, type LoadedModel, type Runtime, type SessionOptions } from '@unfold/runtime';

/**
 * Loads the models a server entry serves: every `.onnx` file of a folder (name = file name without
 * `.onnx`), or one file. Uses `node:fs`, which Node, Bun and Deno all provide; the handler itself never
 * touches files. A file that is not a loadable model stops the server with its name and the reason.
 */
export class ModelFolderError extends Error {
  override readonly name = 'ModelFolderError';
}

async function modelFiles(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new ModelFolderError(`--models ${path}: no such file or folder`);
  }
  if (info.isFile()) {
    if (extname(path) !== '.onnx') throw new ModelFolderError(`--models ${path}: expected a folder or an .onnx file`);
    return [path];
  }
  const files = (await readdir(path)).filter((f) => extname(f) === '.onnx').sort();
  if (files.length === 0) throw new ModelFolderError(`--models ${path}: the folder has no .onnx files`);
  return files.map((f) => join(path, f));
}

export async function loadModelFolder(runtime: Runtime, path: string, sessionOptions?: SessionOptions): Promise<Record<string, LoadedModel>> {
  const models: Record<string, LoadedModel> = {};
  for (const file of await modelFiles(path)) {
    const name = basename(file, '.onnx');
    try {
      models[name] = await runtime.load(new Uint8Array(await readFile(file)), { name, ...(sessionOptions ? { sessionOptions } : {}) });
    } catch (error) {
      const reason = isRuntimeError(error) ? error.message : error instanceof Error ? error.message : String(error);
      throw new ModelFolderError(`${file}: ${reason}`);
    }
  }
  return models;
}
