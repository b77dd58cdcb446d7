import type { Options } from 'tsup';
import { libraryBuild } from '../../tsup.config.base';

// onnx-buf ships ESM only: bundle it so the CJS build loads with require() on Node 20. Its own dependency,
// @bufbuild/protobuf, ships both formats and stays external.
const base = libraryBuild({ index: 'src/index.ts', node: 'src/node.ts' }) as Options;
export default { ...base, noExternal: ['onnx-buf'] } satisfies Options;
