import { defineConfig } from 'vitest/config';

// One vitest run for the whole workspace. Packages resolve each other from source through the
// `@unfold/source` export condition, so no build is needed before testing.
export default defineConfig({
  resolve: { conditions: ['@unfold/source'] },
  ssr: { resolve: { conditions: ['@unfold/source'] } },
  test: {
    include: ['packages/*/{src,test}/**/*.test.ts', 'apps/*/{src,test}/**/*.test.ts', 'tools/*/{src,test}/**/*.test.ts'],
    // Tests that need a system browser run from `npm run test:browser` (vitest.browser.config.ts), which
    // CI runs after installing Chromium; `npm test` needs only Node and the npm packages.
    exclude: ['**/node_modules/**', '**/*.browser.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The cells' WebAssembly kernels are generated from their AssemblyScript sources before any test runs.
    globalSetup: ['packages/cells/scripts/vitest-setup.mjs'],
    typecheck: { enabled: true, include: ['packages/*/{src,test}/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
