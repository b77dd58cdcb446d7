// The examples in the READMEs are programs: every ```ts block of README.md, packages/*/README.md,
// apps/*/{README,API}.md and the guides in docs/*.md is extracted, bundled from source (the workspace
// packages through their `@unfold/source` condition, npm packages from node_modules) and run with node in a fresh folder, and must
// exit 0; all of them are also type-checked together under the repository's strict settings. A block fenced
// ```ts fragment is a piece of a program, shown for reading and not run: only for a call whose complete
// program is shown elsewhere (the runtime README's loadEntries loads what the onnx README's entries example
// writes) and for the private test kit's snippets of test files.
import { bundleSource } from './bundle-source.mjs';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Every documentation file whose examples are run. */
export function documentationFiles(root = ROOT) {
  const files = [join(root, 'README.md')];
  for (const top of ['packages', 'apps']) {
    for (const name of readdirSync(join(root, top))) {
      for (const doc of ['README.md', 'API.md']) if (existsSync(join(root, top, name, doc))) files.push(join(root, top, name, doc));
    }
  }
  for (const name of readdirSync(join(root, 'docs')).sort()) if (name.endsWith('.md')) files.push(join(root, 'docs', name));
  return files;
}

/** The ```ts blocks of a markdown file (not ```ts fragment), with the line each starts on. */
export function examplesOf(file) {
  const blocks = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  let current;
  lines.forEach((line, i) => {
    if (current === undefined && /^```ts\s*$/.test(line)) current = { file, line: i + 1, code: [] };
    else if (current !== undefined && /^```\s*$/.test(line)) {
      blocks.push({ ...current, code: current.code.join('\n') });
      current = undefined;
    } else current?.code.push(line);
  });
  return blocks;
}

/** Bundles one example into node_modules/.cache (so its npm imports resolve) and returns the bundle's path. */
export async function bundleExample(example, root = ROOT) {
  const cache = join(root, 'node_modules/.cache/unfold-doc-examples');
  mkdirSync(cache, { recursive: true });
  const folder = mkdtempSync(join(cache, 'example-'));
  const entry = join(folder, 'example.ts');
  writeFileSync(entry, `// ${relative(root, example.file)}:${example.line}\n${example.code}\nexport {};\n`);
  const outfile = join(folder, 'example.mjs');
  await bundleSource(entry, outfile);
  return outfile;
}

/**
 * Writes every example as a module of one folder with a tsconfig that extends the repository's strict one,
 * and returns the folder: `tsc -p <folder>` type-checks them all as users' code would be.
 */
export function typecheckFolder(examples, root = ROOT) {
  const folder = join(root, 'node_modules/.cache/unfold-doc-examples/typecheck');
  mkdirSync(folder, { recursive: true });
  for (const name of readdirSync(folder)) if (name.endsWith('.ts')) writeFileSync(join(folder, name), '');
  examples.forEach((example, i) => writeFileSync(join(folder, `example-${i}.ts`), `// ${relative(root, example.file)}:${example.line}\n${example.code}\nexport {};\n`));
  const base = relative(folder, join(root, 'tsconfig.base.json'));
  writeFileSync(join(folder, 'tsconfig.json'), JSON.stringify({ extends: base, compilerOptions: { noEmit: true, declaration: false }, include: ['*.ts'] }, null, 2));
  return folder;
}
