import { escapeHtml, px } from './escape';
import { extent, formatTick, linearScale, logScale, logTicks, niceDomain } from './scale';
import type { ChartSeries, LineChartSection } from './types';

/** Series colours in order (colour-blind-safe: blue, orange, green, purple, grey). */
export const SERIES_COLOURS = ['#2563eb', '#ea580c', '#059669', '#7c3aed', '#475569'] as const;

const WIDTH = 760;
const HEIGHT = 300;
const MARGIN = { left: 60, right: 18, top: 34, bottom: 46 } as const;

/**
 * The path of one series: `M x y` starts a run, `L x y` continues it; a point whose x or y is not finite
 * ends the run (a gap). Every finite point is one command, so the command count is the point count.
 */
export function seriesPath(points: ChartSeries['points'], x: (v: number) => number, y: (v: number) => number): string {
  const parts: string[] = [];
  let open = false;
  for (const [a, b] of points) {
    if (!Number.isFinite(a) || !Number.isFinite(b)) {
      open = false;
      continue;
    }
    parts.push(`${open ? 'L' : 'M'}${px(x(a))} ${px(y(b))}`);
    open = true;
  }
  return parts.join('');
}

/** The finite points of a series (what its path draws). */
export function drawnPoints(series: ChartSeries, logY = false): number {
  return series.points.filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b) && (!logY || b > 0)).length;
}

/** The y axis: a nice linear domain (not below 0 for data that is not), or a log domain with its ticks. */
function yAxis(ys: readonly number[], log: boolean): { scale: (v: number) => number; ticks: number[]; label: (t: number) => string } {
  const range = [HEIGHT - MARGIN.bottom, MARGIN.top] as const;
  if (log) {
    const [lo, hi] = extent(ys.filter((v) => v > 0));
    const domain = [lo / 1.15, hi * 1.15] as const;
    return { scale: logScale(domain, range), ticks: logTicks(...domain), label: (t) => formatTick(t, t) };
  }
  const [lo, hi] = extent(ys);
  const pad = (hi - lo) * 0.04;
  const nice = niceDomain(lo >= 0 ? Math.max(0, lo - pad) : lo - pad, hi + pad, 5);
  const step = (nice.ticks[1] ?? 1) - (nice.ticks[0] ?? 0);
  return { scale: linearScale(nice.domain, range), ticks: nice.ticks, label: (t) => formatTick(t, step) };
}

/**
 * An inline SVG line chart: gridlines and ticks at nice values on both axes, one path per series (class
 * `series`, `data-series` = its name), a legend above, an optional labelled vertical marker.
 */
export function lineChartSvg(chart: LineChartSection): string {
  const xs = chart.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = chart.series.flatMap((s) => s.points.map((p) => p[1]));
  const [xlo, xhi] = extent(xs);
  // Whole-number x (epochs, steps) gets whole-number ticks.
  const integral = xs.every((v) => !Number.isFinite(v) || Number.isInteger(v));
  const xTicks = integral && xhi - xlo < 8 ? { ticks: Array.from({ length: Math.floor(xhi) - Math.ceil(xlo) + 1 }, (_, i) => Math.ceil(xlo) + i) } : niceDomain(xlo, xhi, 8);
  const x = linearScale([xlo, xhi], [MARGIN.left, WIDTH - MARGIN.right]);
  const xStep = Math.max(integral ? 1 : 0, (xTicks.ticks[1] ?? 1) - (xTicks.ticks[0] ?? 0));
  const yAxisOf = yAxis(ys, chart.logY === true);
  const y = yAxisOf.scale;
  const bottom = HEIGHT - MARGIN.bottom;
  const parts: string[] = [];
  parts.push(`<rect class="plot" x="${MARGIN.left}" y="${MARGIN.top}" width="${WIDTH - MARGIN.left - MARGIN.right}" height="${bottom - MARGIN.top}"/>`);
  for (const t of yAxisOf.ticks) {
    parts.push(`<line class="grid" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${px(y(t))}" y2="${px(y(t))}"/>`);
    parts.push(`<text class="tick" x="${MARGIN.left - 6}" y="${px(y(t) + 4)}" text-anchor="end">${yAxisOf.label(t)}</text>`);
  }
  for (const t of xTicks.ticks.filter((t) => t >= xlo - 1e-9 && t <= xhi + 1e-9)) {
    parts.push(`<line class="grid" x1="${px(x(t))}" x2="${px(x(t))}" y1="${MARGIN.top}" y2="${bottom}"/>`);
    parts.push(`<text class="tick" x="${px(x(t))}" y="${bottom + 16}" text-anchor="middle">${formatTick(t, xStep)}</text>`);
  }
  parts.push(`<text class="axis-label" x="${(MARGIN.left + WIDTH - MARGIN.right) / 2}" y="${HEIGHT - 8}" text-anchor="middle">${escapeHtml(chart.xLabel)}</text>`);
  parts.push(`<text class="axis-label" transform="translate(14 ${(MARGIN.top + bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(chart.yLabel)}</text>`);
  if (chart.marker) {
    const mx = px(x(chart.marker.x));
    parts.push(`<line class="marker" x1="${mx}" x2="${mx}" y1="${MARGIN.top}" y2="${bottom}"/>`);
    parts.push(`<text class="marker-label" x="${px(x(chart.marker.x) + 5)}" y="${MARGIN.top + 13}">${escapeHtml(chart.marker.label)}</text>`);
  }
  const log = chart.logY === true;
  chart.series.forEach((series, i) => {
    const colour = series.colour ?? (SERIES_COLOURS[i % SERIES_COLOURS.length] as string);
    const dash = series.dashed ? ' stroke-dasharray="5 3"' : '';
    const points = log ? series.points.map(([a, b]) => [a, b > 0 ? b : Number.NaN] as const) : series.points;
    parts.push(`<path class="series" data-series="${escapeHtml(series.name)}" d="${seriesPath(points, x, y)}" stroke="${colour}"${dash}/>`);
  });
  let legendX = MARGIN.left;
  chart.series.forEach((series, i) => {
    const colour = series.colour ?? (SERIES_COLOURS[i % SERIES_COLOURS.length] as string);
    const dash = series.dashed ? ' stroke-dasharray="5 3"' : '';
    parts.push(`<line class="legend-line" x1="${legendX}" x2="${legendX + 22}" y1="16" y2="16" stroke="${colour}"${dash}/>`);
    parts.push(`<text class="legend" x="${legendX + 28}" y="20">${escapeHtml(series.name)}</text>`);
    legendX += 46 + 7 * series.name.length;
  });
  return `<svg class="chart line-chart" data-chart="${escapeHtml(chart.id)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(chart.title)}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}
