import { describe, expect, it } from 'vitest';
import { heatColour, heatmapSvg } from '../src/report/heatmap';
import { renderReport } from '../src/report/html';
import { drawnPoints, lineChartSvg, seriesPath } from '../src/report/line-chart';
import { extent, logTicks, niceDomain, tickStep } from '../src/report/scale';
import type { HeatmapSection, LineChartSection, Report } from '../src/report/types';

/** The `d` of every series path in an SVG string, by series name. */
function paths(svg: string): Record<string, string> {
  return Object.fromEntries([...svg.matchAll(/<path class="series" data-series="([^"]*)" d="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

/** The points a path draws: one per M or L command, each with two finite coordinates. */
function pathPoints(d: string): [number, number][] {
  return [...d.matchAll(/[ML]([-\d.e]+) ([-\d.e]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

const curves: LineChartSection = {
  kind: 'line-chart',
  id: 'loss',
  title: 'Loss by epoch',
  xLabel: 'epoch',
  yLabel: 'mse',
  series: [
    { name: 'training', points: Array.from({ length: 12 }, (_, i) => [i + 1, 1 / (i + 1)] as const) },
    { name: 'validation', points: Array.from({ length: 12 }, (_, i) => [i + 1, 1.2 / (i + 1)] as const), dashed: true },
  ],
};

const heatmap: HeatmapSection = {
  kind: 'heatmap',
  id: 'attention',
  title: 'Attention',
  matrix: [
    [0.7, 0.2, 0.1],
    [0.1, 0.8, 0.1],
  ],
  rowLabels: ['le', 'chat'],
  columnLabels: ['the', 'cat', '<eos>'],
  rowAxis: 'output',
  columnAxis: 'input',
};

describe('report scales', () => {
  it('picks 1-2-5 tick steps and widens the domain to whole steps', () => {
    expect(tickStep(0, 1, 5)).toBeCloseTo(0.2);
    expect(tickStep(0, 37, 5)).toBe(10);
    expect(niceDomain(0.13, 0.92, 5)).toEqual({ domain: [0, 1], ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] });
    expect(extent([3, Number.NaN, -1, Infinity])).toEqual([-1, 3]);
    expect(extent([2, 2])).toEqual([1, 3]);
  });
});

describe('line chart', () => {
  it('draws one path per series with one command per point, inside the plot', () => {
    const svg = lineChartSvg(curves);
    const drawn = paths(svg);
    expect(Object.keys(drawn)).toEqual(['training', 'validation']);
    for (const d of Object.values(drawn)) {
      const points = pathPoints(d);
      expect(points).toHaveLength(12);
      for (const [x, y] of points) {
        expect(x).toBeGreaterThanOrEqual(60);
        expect(x).toBeLessThanOrEqual(742);
        expect(y).toBeGreaterThanOrEqual(34);
        expect(y).toBeLessThanOrEqual(254);
      }
    }
    // Loss falls, so the training line rises on screen from left to right is wrong: y grows downwards.
    const training = pathPoints(drawn.training as string);
    expect(training[0]?.[1]).toBeLessThan(training[11]?.[1] as number);
    expect(svg).toContain('stroke-dasharray="5 3"');
  });

  it('breaks a line at non-finite values instead of drawing them', () => {
    const d = seriesPath([[0, 1], [1, Number.NaN], [2, 3], [3, 4]], (v) => v, (v) => v);
    expect(d).toBe('M0 1M2 3L3 4');
    expect(pathPoints(d)).toHaveLength(3);
  });

  it('escapes names and labels', () => {
    const svg = lineChartSvg({ ...curves, title: 'a <b> & "c"', series: [{ name: '<script>', points: [[0, 0], [1, 1]] }] });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
  });
});

describe('heat map', () => {
  it('draws one cell per entry, coloured by value, with its labels', () => {
    const svg = heatmapSvg(heatmap);
    const cells = [...svg.matchAll(/<rect class="cell" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="(rgb\(\d+,\d+,\d+\))"/g)];
    expect(cells).toHaveLength(6);
    expect(cells.every((c) => Number(c[3]) > 0 && Number(c[4]) > 0)).toBe(true);
    // The largest value (0.8, row 1 column 1) gets the top colour, the smallest (0.1) the bottom one.
    expect(cells[4]?.[5]).toBe(heatColour(1));
    expect(cells[2]?.[5]).toBe(heatColour(0));
    for (const label of ['le', 'chat', 'the', 'cat', '&lt;eos&gt;', 'output', 'input']) expect(svg).toContain(`>${label}<`);
  });

  it('maps the colour scale ends to viridis', () => {
    expect(heatColour(0)).toBe('rgb(68,1,84)');
    expect(heatColour(1)).toBe('rgb(253,231,37)');
    expect(heatColour(Number.NaN)).toBe('rgb(68,1,84)');
  });
});

describe('the report document', () => {
  const report: Report = {
    title: 'unfold training report',
    models: [
      {
        name: 'forecaster',
        description: 'a test',
        facts: [{ label: 'test NRMSE', value: '0.0170' }],
        sections: [curves, heatmap, { kind: 'samples', id: 'samples', title: 'Sampled text', samples: [{ prompt: 'the ', text: 'cat sat.', note: 'seed 1' }] }],
      },
    ],
  };

  it('is self-contained: no script, no external reference', () => {
    const html = renderReport(report);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|src=|url\(|@import|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html.match(/<svg class="chart/g)).toHaveLength(2);
    expect(html).toContain('<span class="text">cat sat.</span>');
  });

  it('rejects a section id used twice', () => {
    expect(() => renderReport({ ...report, models: [{ ...report.models[0]!, sections: [curves, curves] }] })).toThrow(/used twice/);
  });
});

describe('log axis', () => {
  it('draws every positive point and leaves out the rest', () => {
    const svg = lineChartSvg({ ...curves, logY: true, series: [{ name: 'loss', points: [[1, 2.4], [2, 0.9], [3, 0], [4, 0.004]] }] });
    expect(pathPoints(paths(svg).loss as string)).toHaveLength(3);
    expect(drawnPoints({ name: 'loss', points: [[1, 2.4], [2, 0.9], [3, 0], [4, 0.004]] }, true)).toBe(3);
    expect(logTicks(0.004, 2.4)).toEqual([0.01, 0.03, 0.1, 0.3, 1]);
    expect(logTicks(1e-4, 10)).toEqual([1e-4, 1e-3, 0.01, 0.1, 1, 10]);
    expect(logTicks(0.3, 2.4)).toEqual([0.5, 1, 2]);
  });
});
