import { defineConfig } from 'vitest/config';

// One vitest run for the whole workspace. Packages resolve each other from source through the
// `@unfold/source` export condition, so no build is needed before testing.
export default defineConfig({
  resolve: { conditions: ['@unfold/source'] },
  ssr: { resolve: { conditions: ['@unfold/source'] } },
  test: {
    include: ['packages/*/{src,test}/**/*.test.ts', 'apps/*/{src,test}/**/*.test.ts', 'tools/*/{src,test}/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    typecheck: { enabled: true, include: ['packages/*/{src,test}/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
