// vitest globalSetup: builds the WebAssembly kernels from source before any test imports the cells (a
// no-op when they are up to date), so `npx vitest run <file>` works in a fresh clone too.
import { buildKernels } from './build-kernels.mjs';

export default async function setup() {
  await buildKernels();
}
