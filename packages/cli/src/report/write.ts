import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { renderReport } from './html';
import type { Report } from './types';

/** Writes `report.html` (self-contained) and `report.json` (its data) into `dir`; returns the HTML's path. */
export async function writeReport(dir: string, report: Report): Promise<string> {
  const folder = resolve(dir);
  await mkdir(folder, { recursive: true });
  const html = join(folder, 'report.html');
  await writeFile(join(folder, 'report.json'), `${JSON.stringify(report, null, 1)}\n`);
  await writeFile(html, renderReport(report));
  return html;
}
