import { createGraphModel } from './graph-model';
import { RuntimeError } from './errors';
import { isUnfoldModel, readUnfoldFile } from './info/unfold-info';
import { checkEntryFiles, openEntries } from './load-entries';
import type { LoadedModel, UnfoldModel } from './model';
import { readModelInfo } from './proto/model-info';
import { checkTensorData } from './proto/tensor-data';
import { openSession, type OrtFlavour, type SessionOptions } from './session';
import { createUnfoldModel } from './unfold-model';

/**
 * The runtime over one injected onnxruntime flavour:
 *
 *   import * as ort from 'onnxruntime-node';   // or 'onnxruntime-web' (never both in one module)
 *   const runtime = createRuntime(ort);
 *   const model = await runtime.load(bytes, { name: 'forecaster' });
 *   const seq2seq = await runtime.loadEntries('seq2seq', { 'encoder.onnx': a, 'decoder_step.onnx': b });
 *
 * Loading reads the file's interface and metadata first (a plain protobuf walk, no schema library) and
 * checks every stored tensor's data against its dims (proto/tensor-data.ts), then opens an onnxruntime
 * session. A file with unfold metadata (v1 or v2) becomes an UnfoldModel (sequences in and out, the
 * operations its entries declare); any other graph a GraphModel (named tensors in and out). A multi-entry model is the files of its folder, loaded together.
 */
export interface LoadOptions {
  /** The model's name in descriptions and error messages (default "model"). */
  readonly name?: string;
  /** `auto` (default): unfold metadata decides; `onnx`: serve as a plain graph even with unfold metadata. */
  readonly format?: 'auto' | 'onnx';
  /** Passed to onnxruntime's InferenceSession.create (defaults: fatal messages only, all graph optimisations). */
  readonly sessionOptions?: SessionOptions;
}

export interface Runtime {
  /** onnxruntime's versions as the flavour reports them (`{ common, node }` or `{ common, web }`). */
  readonly versions: Readonly<Record<string, string>>;
  /** One `.onnx` file: a single-entry unfold model (v1 or v2), or any ONNX graph. */
  load(bytes: Uint8Array, options?: LoadOptions): Promise<LoadedModel>;
  /**
   * A multi-entry unfold model: the bytes of every file of its folder by file name (`encoder.onnx`, as
   * the manifest `unfold.entries` names them). Every file must carry the same manifest, and every entry
   * it lists must be there; otherwise E_MODEL.
   */
  loadEntries(name: string, files: Readonly<Record<string, Uint8Array>>, options?: Pick<LoadOptions, 'sessionOptions'>): Promise<UnfoldModel>;
}

/** The flavour as given, plus its `env.versions` when it has one (both onnxruntime-node and -web do). */
export type OrtModule = OrtFlavour & { readonly env?: { readonly versions?: Readonly<Record<string, string | undefined>> } };

export function createRuntime(ort: OrtModule): Runtime {
  const versions = Object.fromEntries(Object.entries(ort.env?.versions ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
  return {
    versions,
    async load(bytes, options = {}) {
      const name = options.name ?? 'model';
      const info = readModelInfo(bytes, name);
      checkTensorData(bytes, name);
      const unfold = options.format !== 'onnx' && isUnfoldModel(info) ? readUnfoldFile(info, name) : null;
      if (unfold?.manifest && unfold.manifest.entries.length > 1) {
        const files = unfold.manifest.entries.map((e) => e.file).join(', ');
        throw new RuntimeError('E_MODEL', 'the file is one entry of a multi-entry model', { where: name, expected: 'a single-entry model file', got: `entry ${unfold.entry.name} of ${files}`, fix: `load every file (${files}) with runtime.loadEntries` });
      }
      const session = await openSession(ort, bytes, options.sessionOptions, name);
      return unfold ? createUnfoldModel(name, [{ info: unfold.entry, session, graph: info }], unfold.manifest) : createGraphModel(name, session, info);
    },
    async loadEntries(name, files, options = {}) {
      const checked = checkEntryFiles(name, files);
      return createUnfoldModel(name, await openEntries(ort, name, checked.files, options.sessionOptions), checked.manifest);
    },
  };
}
