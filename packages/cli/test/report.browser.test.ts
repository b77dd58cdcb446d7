import { copyFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHROMIUM_ARGS, chromiumPath } from '@unfold/testing';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/report/types';
import { expectedDrawing, type ExpectedDrawing } from './report-expectations';
import { bundleCli, runBundled } from './subprocess';

/**
 * The main job's training report in headless Chromium (Debian's `chromium`, driven by playwright-core):
 * `unfold demo --quick --no-serve` writes report.html, the browser opens the file (offline: every request
 * the page makes is counted, and there must be none) and every chart must have drawn its data: each series
 * path as many points as report.json holds, with a non-empty rendered box; each heat map one painted cell
 * per matrix entry. The screenshot it takes is docs/report.png (set UNFOLD_REPORT_SCREENSHOT to a path to
 * keep it).
 */

let browser: Browser;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'unfold-report-browser-'));
  const cli = await bundleCli('unfold-cli-report-browser');
  const run = await runBundled(cli, ['demo', '--quick', '--no-serve', '--dir', dir]);
  expect(run.code, run.stderr).toBe(0);
  browser = await chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_ARGS], timeout: 60_000 });
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

/** What the page drew, read from the rendered DOM: points per series path (only if its box is not empty), painted cells, sample lines. */
interface Drawn extends ExpectedDrawing {
  readonly emptyBoxes: string[];
}

describe('the training report in Chromium', () => {
  it('draws every chart from its data, fetches nothing, and is screenshotted', async () => {
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as Report;
    const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
    const requests: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) requests.push(request.url());
    });
    await page.goto(pathToFileURL(join(dir, 'report.html')).href, { waitUntil: 'load' });
    const drawn = await page.evaluate((): Drawn => {
      const result = { lines: {} as Record<string, Record<string, number>>, heatmaps: {} as Record<string, number>, samples: {} as Record<string, number>, emptyBoxes: [] as string[] };
      for (const svg of Array.from(document.querySelectorAll<SVGSVGElement>('svg.chart'))) {
        const id = svg.dataset.chart as string;
        if (svg.classList.contains('line-chart')) {
          const series: Record<string, number> = {};
          for (const path of Array.from(svg.querySelectorAll<SVGPathElement>('path.series'))) {
            const name = path.dataset.series as string;
            const box = path.getBBox();
            if (!(path.getTotalLength() > 0 && box.width > 0 && box.height > 0)) result.emptyBoxes.push(`${id}/${name}`);
            series[name] = (path.getAttribute('d') ?? '').match(/[ML]-?[\d.]+ -?[\d.]+/g)?.length ?? 0;
          }
          result.lines[id] = series;
        } else {
          const cells = Array.from(svg.querySelectorAll<SVGRectElement>('rect.cell'));
          const painted = cells.filter((cell) => cell.getBBox().width > 0 && /^rgb\(/.test(getComputedStyle(cell).fill));
          result.heatmaps[id] = painted.length;
        }
        const rect = svg.getBoundingClientRect();
        if (!(rect.width > 0 && rect.height > 0)) result.emptyBoxes.push(id);
      }
      for (const list of Array.from(document.querySelectorAll<HTMLOListElement>('ol.samples'))) result.samples[list.dataset.samples as string] = list.querySelectorAll('li .text').length;
      return result;
    });
    const expected = expectedDrawing(report);
    expect(drawn.emptyBoxes).toEqual([]);
    expect({ lines: drawn.lines, heatmaps: drawn.heatmaps, samples: drawn.samples }).toEqual(expected);
    // The charts the main job promises, with data in each.
    expect(Object.keys(expected.lines)).toEqual(['forecaster-loss', 'forecaster-forecast', 'char-lm-loss', 'seq2seq-loss']);
    expect(Object.keys(expected.heatmaps)).toEqual(['char-lm-next-token', 'seq2seq-attention']);
    expect(Object.values(expected.lines).flatMap((series) => Object.values(series)).every((n) => n > 0)).toBe(true);
    expect(requests).toEqual([]);

    const screenshot = join(dir, 'report.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    const png = await readFile(screenshot);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt32BE(16)).toBe(900);
    if (process.env.UNFOLD_REPORT_SCREENSHOT) await copyFile(screenshot, resolve(process.env.UNFOLD_REPORT_SCREENSHOT));
    await page.close();
  }, 120_000);
});
