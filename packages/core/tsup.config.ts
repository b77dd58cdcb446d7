import { libraryBuild } from '../../tsup.config.base';

// `errors` is its own entry: servers that only need the error family (the edge runtime) load nothing else.
export default libraryBuild({ index: 'src/index.ts', node: 'src/node.ts', errors: 'src/errors.ts' });
