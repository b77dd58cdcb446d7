// Generic code must read what plugins declare (families, roles, ports, semantics), never compare a plugin
// `kind` to a string literal: `if (root.plugin.kind === 'sequence-model')` breaks the moment a third party
// ships its own model layer. This check collects every kind the repository defines (`kind: '…'` inside a
// `define…({ … })` call) and fails on a comparison (`===`, `!==`, `==`, `!=`) or a `case` against one of
// those literals in the generic packages: training, onnx (export side), runtime, engine, cli and the apps.
// Spec *construction* (`{ kind: 'lstm', … }` in the importer or the CLI's model builders) is fine.
// Usage: node check-kinds.mjs [root]   Exits 1 and lists every violation.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceFiles } from './source-files.mjs';

const GENERIC = ['packages/training/src', 'packages/onnx/src', 'packages/runtime/src', 'packages/engine/src', 'packages/cli/src', 'apps'];
const DEFINITIONS = ['packages'];

const walk = (dir) => sourceFiles(dir).filter((path) => !/\.test\.|\.test-d\./.test(path));

/** Every plugin kind defined under `dirs`: `kind: '…'` within the first lines of a `define…(` call. */
export function definedKinds(root, dirs = DEFINITIONS) {
  const kinds = new Set();
  for (const file of dirs.flatMap((dir) => walk(join(root, dir)))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/define[A-Z]\w*\(\{([\s\S]{0,400}?)\bkind:\s*['"]([^'"]+)['"]/g)) kinds.add(match[2]);
  }
  return kinds;
}

/** Comparisons of a string literal that is a plugin kind, in the generic packages: `file:line: text`. */
export function kindComparisons(root, kinds, dirs = GENERIC) {
  const found = [];
  const literal = `['"\`]([a-z0-9@/._-]+)['"\`]`;
  const patterns = [new RegExp(`[!=]==?\\s*${literal}`, 'g'), new RegExp(`${literal}\\s*[!=]==?`, 'g'), new RegExp(`\\bcase\\s+${literal}\\s*:`, 'g')];
  for (const file of dirs.flatMap((dir) => walk(join(root, dir)))) {
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      if (/^\s*(\/\/|\*)/.test(line) || line.includes('not a plugin kind')) return;
      for (const pattern of patterns) {
        for (const match of line.matchAll(pattern)) {
          if (kinds.has(match[1])) found.push(`${relative(root, file)}:${i + 1}: compares with the plugin kind '${match[1]}': ${line.trim().slice(0, 120)}`);
        }
      }
    });
  }
  return found;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? fileURLToPath(new URL('../../../', import.meta.url));
  const kinds = definedKinds(root);
  const problems = kindComparisons(root, kinds);
  if (problems.length) {
    console.error(`check-kinds: ${problems.length} comparison(s) with plugin kinds in generic code; read the plugins' declarations (family role, ports, semantics) instead\n- ${problems.join('\n- ')}`);
    process.exit(1);
  }
  console.log(`check-kinds: ok (${kinds.size} plugin kinds, none compared in generic code)`);
}
