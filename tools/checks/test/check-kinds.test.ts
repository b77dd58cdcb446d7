import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without types
import { definedKinds, kindComparisons } from '../src/check-kinds.mjs';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'unfold-check-kinds-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function write(path: string, text: string): void {
  mkdirSync(dirname(join(scratch, path)), { recursive: true });
  writeFileSync(join(scratch, path), text);
}

describe('check-kinds', () => {
  it('finds the comparisons of plugin kinds in generic code and nothing else', () => {
    write('packages/toys/src/toy.ts', "export const toy = defineCell({\n  kind: 'toy-cell',\n  meta,\n});\n");
    write('packages/training/src/bad.ts', "if (root.plugin.kind === 'toy-cell') run();\nswitch (p.kind) {\n  case 'toy-cell':\n}\n");
    write('packages/training/src/fine.ts', "const spec = { kind: 'toy-cell' };\nif (x.kind === 'tokens') go();\nif (d === 'toy-cell') y(); // an attribute value, not a plugin kind\n");
    const kinds = definedKinds(scratch) as Set<string>;
    expect([...kinds]).toEqual(['toy-cell']);
    const found = kindComparisons(scratch, kinds) as string[];
    expect(found.map((line) => line.split(':').slice(0, 2).join(':'))).toEqual(['packages/training/src/bad.ts:1', 'packages/training/src/bad.ts:3']);
  });

  it('passes on this repository', () => {
    const kinds = definedKinds(repo) as Set<string>;
    expect(kinds.has('lstm') && kinds.has('sequence-model') && kinds.has('cross-entropy')).toBe(true);
    expect(kindComparisons(repo, kinds)).toEqual([]);
  });
});
