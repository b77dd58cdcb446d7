import { libraryBuild } from '../../tsup.config.base';

// `errors`, `interface`, `tokenizer`, `sampling`, `decoding`, `json` and `tree` are entries of their own: the edge runtime loads them and nothing else (no tfjs).
export default libraryBuild({ index: 'src/index.ts', node: 'src/node.ts', errors: 'src/errors.ts', interface: 'src/interface.ts', tokenizer: 'src/tokenizer.ts', sampling: 'src/sampling.ts', decoding: 'src/decoding.ts', json: 'src/json.ts', tree: 'src/tree.ts' });
