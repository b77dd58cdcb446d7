// Small helpers shared by the benchmark scripts: the median, and writing a results pair (JSON + Markdown)
// under the machine header every report starts with (see machine.mjs).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { machine, machineHeader } from './machine.mjs';

export { machine } from './machine.mjs';

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The JSON document of a results pair: title, the machine header's facts, `options.header` (how the
 * machine was shared, what the figures mean) as `conditions`, the `extra` notes, then the rows.
 */
export function resultsDocument(title, rows, extra = {}, options = {}) {
  const conditions = [...(process.env.BENCH_NOTE ? [process.env.BENCH_NOTE] : []), ...(options.header ?? [])];
  return { title, machine: machine(), ...(conditions.length ? { conditions } : {}), ...extra, rows };
}

/**
 * Writes `<base>.json` (machine-readable) and `<base>.md` (a table) side by side. `options.header`: more
 * lines for the header, printed under the machine's (the environment variable BENCH_NOTE adds one: how the
 * machine was shared during the run, say); `options.tableRows`: the rows of the Markdown table
 * when they are not the JSON rows (e.g. one line per configuration, one JSON row per contender).
 */
export function writeResults(base, title, rows, columns, extra = {}, options = {}) {
  mkdirSync(dirname(base), { recursive: true });
  const document = resultsDocument(title, rows, extra, options);
  writeFileSync(`${base}.json`, JSON.stringify(document, null, 2) + '\n');
  const header = `| ${columns.map((c) => c.label).join(' | ')} |\n|${columns.map(() => '---').join('|')}|`;
  const body = (options.tableRows ?? rows).map((row) => `| ${columns.map((c) => c.format(row)).join(' | ')} |`).join('\n');
  const notes = Object.entries(extra).map(([k, v]) => `- ${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join('\n');
  const more = (document.conditions ?? []).map((line) => `- ${line}`).join('\n');
  writeFileSync(`${base}.md`, `# ${title}\n\n${machineHeader(document.machine)}\n${more ? `${more}\n` : ''}\n${header}\n${body}\n\n${notes}\n`);
  return document;
}
