import { libraryBuild } from '../../tsup.config.base';

// ESM only: the kit imports vitest, which cannot be loaded from CommonJS.
export default libraryBuild({ index: 'src/index.ts' }, ['esm']);
