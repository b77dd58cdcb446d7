// The compact engine's recurrent kernels for the compact Worker: @unfold/cells' SIMD build as a `.wasm`
// module import, which wrangler compiles at upload (workerd forbids compiling WebAssembly from bytes at
// run time). wrangler.json aliases `@unfold/cells/kernels-simd.wasm` here: an alias straight to the `.wasm`
// file would bypass wrangler's module rules, a relative import from this module goes through them. The
// file is generated from the cells' AssemblyScript sources (`npm run kernels`, which `npm test` runs first).
import kernels from '../../../packages/cells/src/shared/kernels/generated/kernels-simd.wasm';

export default kernels;
