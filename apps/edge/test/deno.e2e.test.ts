import { describeServedRuntime } from './support/conformance';

// Deno: Deno.serve with onnxruntime-web (the default, --allow-net --allow-read) and onnxruntime-node
// (by flag, which adds --allow-env --allow-ffi).
describeServedRuntime('deno', [
  { runtime: 'deno', ort: 'web' },
  { runtime: 'deno', ort: 'node' },
]);
