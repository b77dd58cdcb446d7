import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

describe('importing @unfold/core', () => {
  it('loads no tensor library until setupBackend() is called (edge servers read specs and errors only)', async () => {
    const result = await build({
      entryPoints: [join(here, '../src/index.ts')],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      packages: 'external',
      write: false,
      logLevel: 'error',
    });
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/^import .* from ["']@tensorflow/m);
    expect(code).not.toMatch(/^import ["']@tensorflow/m);
    expect(code).toMatch(/import\(["']@tensorflow\/tfjs-core["']\)/); // loaded lazily by setupBackend
  });
});
