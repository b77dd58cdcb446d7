import { createGraphModel } from './graph-model';
import type { LoadedModel } from './model';
import { readModelInfo } from './proto/model-info';
import { openSession, type OrtFlavour, type SessionOptions } from './session';
import { isUnfoldModel, readUnfoldInfo } from './unfold-info';
import { createUnfoldModel } from './unfold-model';

/**
 * The runtime over one injected onnxruntime flavour:
 *
 *   import * as ort from 'onnxruntime-node';   // or 'onnxruntime-web' (never both in one module)
 *   const runtime = createRuntime(ort);
 *   const model = await runtime.load(bytes, { name: 'forecaster' });
 *
 * Loading reads the file's interface and metadata first (a plain protobuf walk, no schema library),
 * then opens an onnxruntime session. A file with unfold metadata becomes an UnfoldModel (sequences in
 * and out, predict / stream / rollout); any other graph a GraphModel (named tensors in and out).
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
  load(bytes: Uint8Array, options?: LoadOptions): Promise<LoadedModel>;
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
      const unfold = options.format !== 'onnx' && isUnfoldModel(info) ? readUnfoldInfo(info, name) : null;
      const session = await openSession(ort, bytes, options.sessionOptions, name);
      return unfold ? createUnfoldModel(name, session, unfold, info) : createGraphModel(name, session, info);
    },
  };
}
