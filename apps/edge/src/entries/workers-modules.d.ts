// Module types for the Workers entry (workers.ts), which wrangler bundles.

/** The bundled models: `{ name: bytes }` (a multi-entry model: `{ name: { file: bytes } }`), written by apps/edge/workers/models.mjs; wrangler aliases it. */
declare module 'unfold-edge-models' {
  const models: Readonly<Record<string, ArrayBuffer | Readonly<Record<string, ArrayBuffer>>>>;
  export default models;
}

/** A `.wasm` import: wrangler's default `CompiledWasm` rule makes it a compiled module. */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
