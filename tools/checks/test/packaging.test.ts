import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Package metadata a user meets before any code runs: npm's own output, the build tool's engines, the
 * fields of every publishable package. (`publint --strict` and `attw --pack` over the packed tarballs run
 * in .ci/run after the build: tools/checks/src/check-packages.mjs.)
 */
const root = join(import.meta.dirname, '../../..');
const json = (path: string) => JSON.parse(readFileSync(join(root, path), 'utf8')) as Record<string, unknown>;

const publishable = ['packages', 'apps']
  .flatMap((group) => readdirSync(join(root, group)).map((name) => `${group}/${name}`))
  .filter((dir) => existsSync(join(root, dir, 'package.json')) && json(`${dir}/package.json`).private !== true);

describe('packaging', () => {
  it('npm prints no warning on an ordinary command (no unknown .npmrc keys)', () => {
    const output = execFileSync('npm', ['pkg', 'get', 'name'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
    expect(output.trim()).toBe('"unfold-workspace"');
    const stderr = execFileSync('sh', ['-c', 'npm pkg get name 2>&1 >/dev/null'], { cwd: root, encoding: 'utf8' });
    expect(stderr).toBe('');
  });

  it('onnxruntime-node’s download step is denied by the install-script policy, and .npmrc has no npm-unknown key', () => {
    expect((json('package.json').allowScripts as Record<string, boolean>)['onnxruntime-node']).toBe(false);
    const keys = readFileSync(join(root, '.npmrc'), 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#')).map((l) => l.split('=')[0]?.trim());
    expect(keys.every((k) => ['fund', 'audit', 'update-notifier'].includes(k as string))).toBe(true);
  });

  it('the build tool supports the Node the project supports (20)', () => {
    const engines = (json('node_modules/tsup/package.json').engines as { node: string }).node;
    const minimum = Number(/^>=\s*(\d+)/.exec(engines)?.[1]);
    expect(minimum, engines).toBeLessThanOrEqual(20);
    expect((json('package.json').engines as { node: string }).node).toBe('>=20');
  });

  it('every publishable package has its repository directory, engines, README and LICENSE', () => {
    expect(publishable.length).toBeGreaterThanOrEqual(8);
    for (const dir of publishable) {
      const pkg = json(`${dir}/package.json`);
      expect(pkg.repository, dir).toEqual({ type: 'git', directory: dir });
      expect(pkg.engines, dir).toEqual({ node: '>=20' });
      expect(existsSync(join(root, dir, 'README.md')), dir).toBe(true);
      expect(existsSync(join(root, dir, 'LICENSE')), dir).toBe(true);
    }
  });

  it('every typed subpath export is also in typesVersions (TypeScript’s node10 resolution ignores exports)', () => {
    for (const dir of publishable) {
      const pkg = json(`${dir}/package.json`);
      const exports = pkg.exports as Record<string, unknown>;
      const typed = Object.entries(exports).filter(([key, value]) => key !== '.' && key !== './package.json' && typeof value === 'object' && value !== null);
      const mapped = ((pkg.typesVersions as Record<string, Record<string, string[]>> | undefined)?.['*'] ?? {}) as Record<string, string[]>;
      for (const [key, value] of typed) {
        const entry = value as { require?: { types?: string }; import?: { types?: string }; types?: string };
        const types = entry.require?.types ?? entry.import?.types ?? entry.types;
        expect(mapped[key.slice(2)], `${dir} ${key}`).toEqual([types]);
      }
    }
  });
});
