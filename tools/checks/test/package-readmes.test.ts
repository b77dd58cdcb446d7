import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Every package a user installs says what it is: a README with an install line, a complete example (run by
// doc-examples.test.ts), every entry point it exports, and a link to the architecture guide.
const root = join(import.meta.dirname, '../../..');
const PACKAGES = ['core', 'cells', 'architectures', 'cli'];

describe.each(PACKAGES)('packages/%s/README.md', (name) => {
  const dir = join(root, 'packages', name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown>; bin?: Record<string, string> };
  const readme = () => readFileSync(join(dir, 'README.md'), 'utf8');

  it('exists and starts with the package name', () => {
    expect(existsSync(join(dir, 'README.md'))).toBe(true);
    expect(readme().split('\n')[0]).toBe(`# ${manifest.name}`);
  });

  it('has an install line naming the package and a complete example', () => {
    expect(readme()).toMatch(new RegExp(`npm install [^\\n]*${manifest.name.replace('/', '\\/')}`));
    expect(readme()).toMatch(/^```ts\n[\s\S]*?^```$/m);
  });

  it('names every entry point it exports and links to docs/architecture.md', () => {
    for (const subpath of Object.keys(manifest.exports).filter((s) => s !== './package.json')) {
      expect(readme()).toContain(`\`${manifest.name}${subpath.slice(1)}\``);
    }
    expect(readme()).toContain('](../../docs/architecture.md)');
    expect(existsSync(join(root, 'docs/architecture.md'))).toBe(true);
  });
});
