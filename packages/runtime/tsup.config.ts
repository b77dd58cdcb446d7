import { libraryBuild } from '../../tsup.config.base';

export default libraryBuild({ index: 'src/index.ts', proto: 'src/proto/index.ts' });
