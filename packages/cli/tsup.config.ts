import { libraryBuild } from '../../tsup.config.base';

// The library entry only: the executable is the committed launcher bin/unfold.js, which loads dist/index.js
// (so npm links it at install time, before any build).
export default libraryBuild({ index: 'src/index.ts' });
