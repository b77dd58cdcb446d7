import { ConfigError } from '@unfold/core';
import { escapeHtml } from './escape';
import { heatmapSvg } from './heatmap';
import { lineChartSvg } from './line-chart';
import type { Report, ReportModel, ReportSection, SamplesSection } from './types';

const STYLE = `
:root { color-scheme: light; --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --card: #ffffff; --page: #f8fafc; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--page); color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 860px; margin: 0 auto; padding: 32px 20px 48px; }
header.report h1 { margin: 0; font-size: 26px; letter-spacing: -0.01em; }
header.report p { margin: 4px 0 0; color: var(--muted); }
section.model { margin-top: 28px; }
section.model > h2 { margin: 0; font-size: 20px; }
section.model > p.description { margin: 2px 0 10px; color: var(--muted); }
dl.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 8px; margin: 0 0 14px; }
dl.facts div { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; }
dl.facts dt { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
dl.facts dd { margin: 0; font-size: 17px; font-weight: 600; font-variant-numeric: tabular-nums; }
figure { margin: 0 0 16px; background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px 10px; overflow-x: auto; }
figure h3 { margin: 0 0 6px; font-size: 15px; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
svg.chart { display: block; max-width: 100%; height: auto; font-family: inherit; }
svg .plot { fill: #fcfdff; stroke: var(--line); }
svg .grid { stroke: #eef2f7; stroke-width: 1; }
svg .tick { fill: var(--muted); font-size: 11px; font-variant-numeric: tabular-nums; }
svg .axis-label { fill: #334155; font-size: 12px; }
svg .series { fill: none; stroke-width: 1.8; stroke-linejoin: round; stroke-linecap: round; }
svg .legend-line { stroke-width: 2.5; }
svg .legend { fill: #334155; font-size: 12px; }
svg .marker { stroke: #94a3b8; stroke-dasharray: 3 3; }
svg .marker-label { fill: var(--muted); font-size: 11px; }
svg .cell { shape-rendering: crispEdges; }
svg .heat-label { fill: #334155; font-size: 11px; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
ol.samples { margin: 0; padding-left: 22px; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 14px; }
ol.samples li { padding: 3px 0; border-bottom: 1px dashed var(--line); }
ol.samples li:last-child { border-bottom: 0; }
ol.samples .prompt { color: var(--muted); }
ol.samples .text { color: var(--ink); white-space: pre-wrap; }
ol.samples .note { color: var(--muted); font-family: system-ui, sans-serif; font-size: 12px; margin-left: 8px; }
footer { margin-top: 30px; color: var(--muted); font-size: 12px; }
`;

function samplesHtml(section: SamplesSection): string {
  const items = section.samples.map((s) => `<li><span class="prompt">${escapeHtml(s.prompt)}</span><span class="text">${escapeHtml(s.text)}</span>${s.note ? `<span class="note">${escapeHtml(s.note)}</span>` : ''}</li>`);
  return `<ol class="samples" data-samples="${escapeHtml(section.id)}">${items.join('')}</ol>`;
}

/** One section as a figure: its title, its chart (or text), its caption. */
export function sectionHtml(section: ReportSection): string {
  const body = section.kind === 'line-chart' ? lineChartSvg(section) : section.kind === 'heatmap' ? heatmapSvg(section) : samplesHtml(section);
  const caption = section.caption ? `<figcaption>${escapeHtml(section.caption)}</figcaption>` : '';
  return `<figure class="section ${section.kind}" id="${escapeHtml(section.id)}"><h3>${escapeHtml(section.title)}</h3>${body}${caption}</figure>`;
}

function modelHtml(model: ReportModel): string {
  const facts = model.facts.map((f) => `<div><dt>${escapeHtml(f.label)}</dt><dd>${escapeHtml(f.value)}</dd></div>`).join('');
  return `<section class="model" data-model="${escapeHtml(model.name)}"><h2>${escapeHtml(model.name)}</h2><p class="description">${escapeHtml(model.description)}</p>${facts ? `<dl class="facts">${facts}</dl>` : ''}${model.sections.map(sectionHtml).join('')}</section>`;
}

/**
 * The report as one self-contained HTML document: inline CSS and SVG only (no script, no fonts, no
 * images, nothing fetched), so it opens offline from the file.
 */
export function renderReport(report: Report): string {
  const ids = report.models.flatMap((m) => m.sections.map((s) => s.id));
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated !== undefined) throw new ConfigError('a report section id is used twice', { where: 'report', expected: 'unique section ids', got: JSON.stringify(repeated) });
  const subtitle = report.subtitle ? `<p>${escapeHtml(report.subtitle)}</p>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(report.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header class="report"><h1>${escapeHtml(report.title)}</h1>${subtitle}</header>
${report.models.map(modelHtml).join('\n')}
<footer>Written by unfold. The data behind every chart is in report.json next to this file.</footer>
</main>
</body>
</html>
`;
}
