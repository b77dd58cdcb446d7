/**
 * The inference engines a server or a command can run a model on, by the names users type
 * (`--engine`, `UNFOLD_ENGINE`):
 *
 * | name | engine |
 * |---|---|
 * | `compact` | `@unfold/engine`: unfold's own exports in TypeScript and WebAssembly SIMD kernels, 35 KiB gzipped |
 * | `ort-node` | onnxruntime-node: any ONNX file, native code (Node, and Deno through FFI) |
 * | `ort-web` | onnxruntime-web: any ONNX file, 14 MB of WebAssembly |
 * | `auto` | compact for the files and calls it suits (see auto.ts and docs/engines.md), onnxruntime otherwise |
 *
 * The older `--ort node|web` values map to `ort-node` / `ort-web`.
 */
export type EngineName = 'compact' | 'ort-node' | 'ort-web' | 'auto';

/** An engine that is one library (what `auto` chooses between). */
export type ConcreteEngine = Exclude<EngineName, 'auto'>;

export const ENGINE_NAMES: readonly EngineName[] = Object.freeze(['compact', 'ort-node', 'ort-web', 'auto']);

/** What each engine is, for logs and /health. */
export const ENGINE_LABELS: Readonly<Record<EngineName, string>> = Object.freeze({
  compact: 'the compact engine (@unfold/engine)',
  'ort-node': 'onnxruntime-node',
  'ort-web': 'onnxruntime-web',
  auto: 'auto',
});

export function isEngineName(value: unknown): value is EngineName {
  return typeof value === 'string' && (ENGINE_NAMES as readonly string[]).includes(value);
}

/** The engine an old `--ort node|web` value names. */
export function engineOfOrt(ort: 'node' | 'web'): ConcreteEngine {
  return ort === 'node' ? 'ort-node' : 'ort-web';
}
