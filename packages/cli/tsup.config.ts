import { libraryBuild } from '../../tsup.config.base';

// The library entry, and `launch`, which the committed launcher bin/unfold.js loads (so npm links the
// executable at install time, before any build): the command line without the library's model helpers.
export default libraryBuild({ index: 'src/index.ts', launch: 'src/launch.ts' });
