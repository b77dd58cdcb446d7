import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.config.base';

// The library entry as usual, plus the executable in its own folder (bin/unfold.js): ESM, Node, a shebang.
export default [
  libraryBuild({ index: 'src/index.ts' }),
  defineConfig({ entry: { unfold: 'src/bin.ts' }, outDir: 'bin', format: ['esm'], platform: 'node', target: 'node20', sourcemap: true, clean: true, banner: { js: '#!/usr/bin/env node' } }),
];
