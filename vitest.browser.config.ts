import { defineConfig } from 'vitest/config';

// `npm run test:browser`: the tests that drive a system Chromium (Debian's `chromium`, or CHROMIUM_PATH):
// onnxruntime-web in the browser (apps/edge) and the training report (packages/cli).
// Kept out of `npm test`, which must pass on a machine with only Node; CI installs Chromium and runs both.
export default defineConfig({
  resolve: { conditions: ['@unfold/source'] },
  ssr: { resolve: { conditions: ['@unfold/source'] } },
  test: { include: ['apps/*/test/**/*.browser.test.ts', 'packages/*/test/**/*.browser.test.ts'], globalSetup: ['packages/cells/scripts/vitest-setup.mjs'], environment: 'node', pool: 'forks', testTimeout: 60_000, hookTimeout: 60_000 },
});
