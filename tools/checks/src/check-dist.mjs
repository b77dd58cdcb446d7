// Loads every built entry point of every library package both ways, ESM (import) and CJS (require),
// and checks both expose the same names. Run after `nx run-many -t build`.
import { createRequire } from 'node:module';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('../../../', import.meta.url).pathname;
const require = createRequire(join(root, 'package.json'));
const failures = [];
let checked = 0;

for (const name of readdirSync(join(root, 'packages'))) {
  const dir = join(root, 'packages', name);
  if (!existsSync(join(dir, 'package.json'))) continue;
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  for (const [subpath, entry] of Object.entries(manifest.exports ?? {})) {
    if (typeof entry !== 'object' || !entry.import) continue;
    try {
      const esm = await import(pathToFileURL(join(dir, entry.import.default)).href);
      checked++;
      if (!entry.require) continue; // an ESM-only package (the test kit)
      const cjs = require(join(dir, entry.require.default));
      const a = Object.keys(esm).filter((k) => k !== 'default').sort().join(',');
      const b = Object.keys(cjs).filter((k) => k !== 'default').sort().join(',');
      if (a !== b) failures.push(`${manifest.name}${subpath.slice(1)}: ESM and CJS export different names`);
      checked++;
    } catch (error) {
      failures.push(`${manifest.name}${subpath.slice(1)}: ${error.message}`);
    }
  }
}

if (failures.length) {
  console.error(`check-dist: ${failures.length} failure(s)\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log(`check-dist: ok (${checked} entry points loaded; every CJS build exports the same names as its ESM build)`);
