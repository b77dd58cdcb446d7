import { join } from 'node:path';
import { build } from 'esbuild';
import { CHROMIUM_ARGS, chromiumPath } from '@unfold/testing';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The training kernels in a browser (Debian's headless Chromium, driven by playwright-core), on a page
 * that is not cross-origin isolated (so one thread): `loadKernels()` compiles them asynchronously (a
 * main thread may refuse a synchronous compile; this Chromium allows it, and either way the first use
 * does not fail), then an LSTM (peepholes) and a GRU train-step forward + backward under a padding mask
 * give what the tfjs path gives (loss and every gradient within 1e-5 + 1e-5·|b|).
 */

let browser: Browser;
let script: string;

beforeAll(async () => {
  const result = await build({
    entryPoints: [join(import.meta.dirname, 'browser/kernels-page.ts')],
    bundle: true,
    format: 'iife',
    globalName: 'kernelsPage',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@unfold/source'],
    write: false,
    logLevel: 'error',
  });
  script = result.outputFiles[0]!.text;
  browser = await chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_ARGS], timeout: 60_000 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('the WebAssembly training kernels in headless Chromium', () => {
  it('compile asynchronously on the main thread and equal the tfjs path (LSTM, GRU, masked)', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto('about:blank');
      await page.addScriptTag({ content: script });
      const result = (await page.evaluate('kernelsPage.runInBrowser()')) as {
        before: string;
        loaded: string;
        build: string;
        threads: number;
        crossOriginIsolated: boolean;
        results: { kind: string; count: number; worstExcess: number }[];
      };
      expect(errors).toEqual([]);
      expect(result.crossOriginIsolated).toBe(false);
      expect(['none', result.loaded]).toContain(result.before);
      expect(['simd', 'relaxed-simd']).toContain(result.loaded);
      expect(result.build).toBe(result.loaded);
      expect(result.threads).toBe(1);
      for (const r of result.results) {
        expect(r.count, r.kind).toBeGreaterThan(100);
        expect(r.worstExcess, r.kind).toBeLessThanOrEqual(0);
      }
    } finally {
      await context.close();
    }
  }, 90_000);
});
