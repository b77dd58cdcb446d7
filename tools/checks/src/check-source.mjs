// Repository rules that keep the code small and the public surface explicit:
// - no source file over MAX_LINES lines (split by concept instead);
// - every package's public index files are explicit lists of named exports (no `export *`);
// - every library package declares `"sideEffects": false` (nothing registers on import).
// Exits 1 and lists every violation.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { sourceFiles } from './source-files.mjs';

const MAX_LINES = 400;
const root = new URL('../../../', import.meta.url).pathname;
const problems = [];

const walk = sourceFiles;

const groups = ['packages', 'apps', 'tools'].flatMap((top) =>
  existsSync(join(root, top)) ? readdirSync(join(root, top)).map((name) => join(root, top, name)) : [],
);

for (const pkg of groups) {
  if (!existsSync(join(pkg, 'package.json'))) continue;
  const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
  for (const file of [...walk(join(pkg, 'src')), ...walk(join(pkg, 'test'))]) {
    const lines = readFileSync(file, 'utf8').split('\n').length;
    if (lines > MAX_LINES) problems.push(`${relative(root, file)}: ${lines} lines (limit ${MAX_LINES}); split it by concept`);
  }
  if (relative(root, pkg).startsWith('packages/')) {
    if (manifest.sideEffects !== false) problems.push(`${relative(root, pkg)}/package.json: set "sideEffects": false`);
    const entries = Object.values(manifest.exports ?? {})
      .map((entry) => (typeof entry === 'object' ? entry['@unfold/source'] : undefined))
      .filter(Boolean);
    for (const entry of entries) {
      const text = readFileSync(join(pkg, entry), 'utf8');
      if (/^\s*export\s+\*/m.test(text)) problems.push(`${relative(root, join(pkg, entry))}: uses "export *"; list the public names explicitly`);
    }
  }
}

if (problems.length) {
  console.error(`check-source: ${problems.length} problem(s)\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log('check-source: ok (file sizes, explicit indexes, sideEffects)');
