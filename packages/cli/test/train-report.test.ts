import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../src/report/types';
import { runCli, type Io } from '../src/index';
import { drawnInHtml, expectedDrawing } from './report-expectations';

function capture(): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', interactive: false, out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

/** Trains with --report into a fresh folder; returns the report's data, its HTML and what the command printed. */
async function trainWithReport(args: readonly string[]): Promise<{ report: Report; html: string; stdout: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'unfold-train-report-'));
  const io = capture();
  const code = await runCli(['train', ...args, '-o', join(dir, 'model.unfold'), '--report', join(dir, 'report')], io);
  expect(code, io.stderr).toBe(0);
  expect(io.stdout).toContain(`report written to ${join(dir, 'report', 'report.html')}`);
  const report = JSON.parse(await readFile(join(dir, 'report', 'report.json'), 'utf8')) as Report;
  return { report, html: await readFile(join(dir, 'report', 'report.html'), 'utf8'), stdout: io.stdout };
}

describe('unfold train --report', () => {
  it('the built-in forecaster: loss and validation by epoch, the forecast with its rollout, drawn point for point', async () => {
    const { report, html } = await trainWithReport(['--epochs', '2', '--hidden', '4', '--window', '6']);
    const expected = expectedDrawing(report);
    expect(expected.lines).toEqual({
      'forecaster-loss': { training: 2, validation: 2 },
      'forecaster-forecast': { truth: 306, 'one-step forecast': 300, 'free-running rollout': 300 },
    });
    expect(drawnInHtml(html)).toEqual(expected);
    const rollout = report.models[0]?.sections[1];
    expect(rollout?.kind === 'line-chart' && rollout.series[2]?.points.every(([, y]) => Number.isFinite(y))).toBe(true);
  }, 120_000);

  it('a character LM from a spec: curves, sampled text and the next-character heat map', async () => {
    const { report, html } = await trainWithReport(['--spec', 'examples/specs/char-lm.json', '--data', 'examples/data/text.jsonl', '--valid', 'examples/data/text-valid.jsonl', '--epochs', '2', '--lr', '0.02', '--batch', '16']);
    const expected = expectedDrawing(report);
    expect(expected.lines).toEqual({ 'char-lm-loss': { training: 2, validation: 2 } });
    expect(expected.samples).toEqual({ 'char-lm-samples': 6 });
    const heatmap = report.models[0]?.sections.find((s) => s.kind === 'heatmap');
    expect(heatmap?.kind).toBe('heatmap');
    if (heatmap?.kind !== 'heatmap') return;
    expect(heatmap.matrix.length).toBe(heatmap.rowLabels.length);
    expect(heatmap.matrix.every((row) => row.length === heatmap.columnLabels.length && Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-3)).toBe(true);
    expect(expected.heatmaps['char-lm-next-token']).toBe(heatmap.rowLabels.length * heatmap.columnLabels.length);
    expect(drawnInHtml(html)).toEqual(expected);
  }, 120_000);

  it('a CSV forecaster from a spec: the forecast over the validation series', async () => {
    const { report, html } = await trainWithReport(['--spec', 'examples/specs/forecaster.json', '--data', 'examples/data/series.csv', '--valid', 'examples/data/series-valid.csv', '--target', 'load', '--epochs', '2']);
    const expected = expectedDrawing(report);
    // series-valid.csv holds 100 values; the window is 16, so 84 forecasts after the first window.
    expect(expected.lines).toEqual({ 'forecaster-loss': { training: 2, validation: 2 }, 'forecaster-forecast': { truth: 100, 'one-step forecast': 84, 'free-running rollout': 84 } });
    expect(drawnInHtml(html)).toEqual(expected);
  }, 120_000);
});
