// Small helpers shared by the benchmark scripts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function machine() {
  return { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, date: new Date().toISOString().slice(0, 10) };
}

/** Writes `<base>.json` (machine-readable) and `<base>.md` (a table) side by side. */
export function writeResults(base, title, rows, columns, extra = {}) {
  mkdirSync(dirname(base), { recursive: true });
  const info = machine();
  writeFileSync(`${base}.json`, JSON.stringify({ title, machine: info, ...extra, rows }, null, 2) + '\n');
  const header = `| ${columns.map((c) => c.label).join(' | ')} |\n|${columns.map(() => '---').join('|')}|`;
  const body = rows.map((row) => `| ${columns.map((c) => c.format(row)).join(' | ')} |`).join('\n');
  const notes = Object.entries(extra).map(([k, v]) => `- ${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join('\n');
  writeFileSync(`${base}.md`, `# ${title}\n\n${info.date}, ${info.cpu}, ${info.cores} cores, Node ${info.node}\n\n${header}\n${body}\n\n${notes}\n`);
}
