import { escapeHtml, px } from './escape';
import { extent } from './scale';
import type { HeatmapSection } from './types';

/** The colour scale, low to high (viridis stops). */
const STOPS = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
] as const;

/** The colour of t in [0, 1]: piecewise-linear between the stops, as `rgb(r,g,b)`. */
export function heatColour(t: number): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  const at = clamped * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(at));
  const f = at - i;
  const a = STOPS[i] as readonly number[];
  const b = STOPS[i + 1] as readonly number[];
  return `rgb(${a.map((v, k) => Math.round(v + f * ((b[k] as number) - v))).join(',')})`;
}

const MAX_WIDTH = 760;
const LEGEND = 70;

/**
 * An inline SVG heat map: one `rect.cell` per matrix entry (rows top to bottom, columns left to right),
 * row labels on the left, column labels on top, and a colour bar with the range. Cells shrink to fit
 * 760 px; a `<title>` on each cell names its row, column and value.
 */
export function heatmapSvg(map: HeatmapSection): string {
  const rows = map.matrix.length;
  const columns = Math.max(0, ...map.matrix.map((r) => r.length));
  const [lo, hi] = map.range ?? extent(map.matrix.flat());
  const labelWidth = 8 + 7.5 * Math.max(1, ...map.rowLabels.map((l) => l.length));
  const labelHeight = 10 + 7 * Math.max(1, ...map.columnLabels.map((l) => l.length));
  const cellW = Math.max(4, Math.min(24, (MAX_WIDTH - labelWidth - LEGEND) / Math.max(columns, 1)));
  const cellH = Math.max(4, Math.min(18, cellW));
  const left = (map.rowAxis ? 22 : 0) + labelWidth + 4;
  const top = labelHeight + (map.columnAxis ? 18 : 4);
  const width = left + columns * cellW + LEGEND;
  const height = top + rows * cellH + 8;
  const parts: string[] = [];
  if (map.columnAxis) parts.push(`<text class="axis-label" x="${px(left + (columns * cellW) / 2)}" y="13" text-anchor="middle">${escapeHtml(map.columnAxis)}</text>`);
  map.columnLabels.forEach((label, c) => {
    const cx = px(left + (c + 0.5) * cellW);
    const vertical = label.length > 2;
    parts.push(vertical ? `<text class="heat-label" transform="translate(${cx} ${top - 4}) rotate(-90)" dy="4">${escapeHtml(label)}</text>` : `<text class="heat-label" x="${cx}" y="${top - 5}" text-anchor="middle">${escapeHtml(label)}</text>`);
  });
  map.rowLabels.forEach((label, r) => {
    parts.push(`<text class="heat-label" x="${px(left - 5)}" y="${px(top + (r + 0.5) * cellH + 4)}" text-anchor="end">${escapeHtml(label)}</text>`);
  });
  const span = hi - lo || 1;
  map.matrix.forEach((row, r) => {
    row.forEach((value, c) => {
      const name = `${map.rowLabels[r] ?? r} → ${map.columnLabels[c] ?? c}: ${Number.isFinite(value) ? value.toPrecision(3) : String(value)}`;
      parts.push(`<rect class="cell" x="${px(left + c * cellW)}" y="${px(top + r * cellH)}" width="${px(cellW)}" height="${px(cellH)}" fill="${heatColour((value - lo) / span)}"><title>${escapeHtml(name)}</title></rect>`);
    });
  });
  const barX = left + columns * cellW + 22;
  const barH = Math.max(40, rows * cellH);
  const steps = 24;
  for (let i = 0; i < steps; i++) {
    parts.push(`<rect class="colour-bar" x="${px(barX)}" y="${px(top + (i * barH) / steps)}" width="12" height="${px(barH / steps + 0.5)}" fill="${heatColour(1 - i / (steps - 1))}"/>`);
  }
  parts.push(`<text class="tick" x="${px(barX + 16)}" y="${px(top + 9)}">${escapeHtml(hi.toPrecision(2))}</text>`);
  parts.push(`<text class="tick" x="${px(barX + 16)}" y="${px(top + barH)}">${escapeHtml(lo.toPrecision(2))}</text>`);
  if (map.rowAxis) parts.push(`<text class="axis-label" transform="translate(12 ${px(top + (rows * cellH) / 2)}) rotate(-90)" text-anchor="middle">${escapeHtml(map.rowAxis)}</text>`);
  const fullHeight = Math.max(height, top + barH + 8);
  return `<svg class="chart heatmap" data-chart="${escapeHtml(map.id)}" viewBox="0 0 ${px(width)} ${px(fullHeight)}" width="${px(width)}" height="${px(fullHeight)}" role="img" aria-label="${escapeHtml(map.title)}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}
