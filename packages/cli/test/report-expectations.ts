import { drawnPoints } from '../src/report/line-chart';
import type { Report } from '../src/report/types';

/** What a rendered report must show, from its data (report.json): points per series, cells per heat map, sample lines. */
export interface ExpectedDrawing {
  readonly lines: Record<string, Record<string, number>>;
  readonly heatmaps: Record<string, number>;
  readonly samples: Record<string, number>;
}

export function expectedDrawing(report: Report): ExpectedDrawing {
  const drawing: ExpectedDrawing = { lines: {}, heatmaps: {}, samples: {} };
  for (const section of report.models.flatMap((m) => m.sections)) {
    if (section.kind === 'line-chart') drawing.lines[section.id] = Object.fromEntries(section.series.map((s) => [s.name, drawnPoints(s, section.logY)]));
    else if (section.kind === 'heatmap') drawing.heatmaps[section.id] = section.matrix.reduce((n, row) => n + row.length, 0);
    else drawing.samples[section.id] = section.samples.length;
  }
  return drawing;
}

/** The same counts read back from the HTML: M/L commands of each series path, cells of each heat map, sample lines. */
export function drawnInHtml(html: string): ExpectedDrawing {
  const drawing: ExpectedDrawing = { lines: {}, heatmaps: {}, samples: {} };
  for (const svg of html.matchAll(/<svg class="chart ([\w-]+)" data-chart="([^"]+)"[^>]*>(.*?)<\/svg>/gs)) {
    const [, kind, id, body] = svg as unknown as [string, string, string, string];
    if (kind === 'line-chart') {
      drawing.lines[id] = Object.fromEntries([...body.matchAll(/<path class="series" data-series="([^"]*)" d="([^"]*)"/g)].map((m) => [m[1], (m[2] as string).match(/[ML]-?[\d.]+ -?[\d.]+/g)?.length ?? 0]));
    } else drawing.heatmaps[id] = body.match(/<rect class="cell" [^>]*width="[\d.]+" height="[\d.]+" fill="rgb/g)?.length ?? 0;
  }
  for (const list of html.matchAll(/<ol class="samples" data-samples="([^"]+)">(.*?)<\/ol>/gs)) drawing.samples[list[1] as string] = (list[2] as string).match(/<li>/g)?.length ?? 0;
  return drawing;
}
