import type { Options } from 'tsup';
import { libraryBuild } from '../../tsup.config.base';

// Two builds. The library (`@unfold/edge`: the portable handler; `@unfold/edge/node`: Node helpers) is the
// shared recipe, ESM only. The server entries are self-contained ESM bundles that `node`, `bun` and
// `deno run` start directly: they inline the workspace packages and leave onnxruntime in node_modules,
// where each runtime resolves, at run time, the one flavour it was asked for.
const library = libraryBuild({ index: 'src/index.ts', node: 'src/node.ts' }) as Options;

export default [
  { ...library, format: ['esm'] },
  {
    ...library,
    entry: { 'entries/node': 'src/entries/node.ts', 'entries/bun': 'src/entries/bun.ts', 'entries/deno': 'src/entries/deno.ts' },
    format: ['esm'],
    dts: false,
    clean: false,
    // One file per entry, as the runtimes start them (the shared recipe splits shared code into chunks).
    splitting: false,
    platform: 'node',
    noExternal: [/^@unfold\//],
    external: ['onnxruntime-node', 'onnxruntime-web'],
  },
] satisfies Options[];
