// Publishing checks over every publishable package (each packages/* and apps/* whose package.json is not
// private), run by .ci/run after the build: `publint --strict` (package.json fields against the files npm
// would pack: exports, types, files, repository, …; warnings count as errors) and `attw --pack`
// (@arethetypeswrong/cli: every entry point's types resolve, and match the JavaScript, under TypeScript's
// node10, node16 (from CJS and from ESM) and bundler resolution). Exits 1 on any problem.
//
// Rules deliberately relaxed, and why:
// - @unfold/edge: attw's `cjs-resolves-to-esm` is ignored. The edge app is ESM only by design (its handler
//   runs on workerd, Bun and Deno, which load ESM); CommonJS callers on Node use `await import(...)`.
// - @unfold/edge: the `entries/node`, `entries/bun` and `entries/deno` entry points are excluded from attw.
//   They are server executables that `unfold serve` starts by path (importing one starts a server), not
//   modules to import, so they ship no type declarations.
// - @unfold/cells: the `kernels-simd.wasm` entry point is excluded from attw. It is a WebAssembly file that
//   bundlers compile (wrangler's CompiledWasm rule for Cloudflare Workers, see useKernelModule), not a
//   JavaScript module, so it has no type declarations to resolve.
// Everything else runs with the tools' defaults.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = (name) => join(root, 'node_modules/.bin', name);

/** Per package: extra attw arguments (see the rules above). */
const ATTW_OPTIONS = {
  '@unfold/cells': ['--exclude-entrypoints', 'kernels-simd.wasm'],
  '@unfold/edge': ['--ignore-rules', 'cjs-resolves-to-esm', '--exclude-entrypoints', 'entries/node', 'entries/bun', 'entries/deno'],
};

const packages = ['packages', 'apps']
  .flatMap((group) => readdirSync(join(root, group)).map((name) => join(root, group, name)))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, json: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter(({ json }) => json.private !== true);

let failed = 0;
for (const { dir, json } of packages) {
  for (const [tool, args] of [
    ['publint', ['--strict', '.']],
    ['attw', ['--pack', '.', '--format', 'ascii', ...(ATTW_OPTIONS[json.name] ?? [])]],
  ]) {
    try {
      execFileSync(bin(tool), args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
      console.log(`check-packages: ${json.name}: ${tool} ok`);
    } catch (error) {
      failed++;
      console.error(`check-packages: ${json.name}: ${tool} found problems\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    }
  }
}
if (failed > 0) {
  console.error(`check-packages: ${failed} failing check(s) over ${packages.length} packages`);
  process.exit(1);
}
console.log(`check-packages: ok (publint --strict and attw --pack over ${packages.length} packages: ${packages.map((p) => p.json.name).join(', ')})`);
