import { describeServedRuntime } from './support/conformance';

// Bun: Bun.serve with onnxruntime-web (the default; platform.md: onnxruntime-node under Bun's N-API is
// reported to crash elsewhere).
describeServedRuntime('bun', [{ runtime: 'bun', ort: 'web' }]);
