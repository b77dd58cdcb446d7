import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/report/types';
import { drawnInHtml, expectedDrawing } from './report-expectations';
import { bundleCli } from './subprocess';

let cli: string;
beforeAll(async () => {
  cli = await bundleCli('unfold-cli-demo');
}, 120_000);

/** A printed curl example, read back strictly: the URL and the JSON body, single-quoted as a shell would. */
function parseCurl(line: string): { url: string; body: unknown } {
  const quoted = `'((?:[^']|'\\\\'')*)'`;
  const match = new RegExp(`^curl -s ${quoted} -H 'content-type: application/json' -d ${quoted}$`).exec(line);
  if (!match) throw new Error(`not a curl example of the expected form: ${line}`);
  const unquote = (text: string) => text.replace(/'\\''/g, "'");
  return { url: unquote(match[1] as string), body: JSON.parse(unquote(match[2] as string)) };
}

describe('unfold demo --quick (the main job)', () => {
  it('trains the three models, checks their exports, writes the report, serves them, and every printed curl example answers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'unfold-demo-'));
    const started = Date.now();
    const child = spawn(process.execPath, [cli, 'demo', '--quick', '--port', '0', '--dir', dir], { env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`demo did not start serving:\n${stdout}\n${stderr}`)), 150_000);
        child.on('exit', () => reject(new Error(`demo exited early:\n${stdout}\n${stderr}`)));
        child.stdout.on('data', () => {
          if (/Ctrl-C to stop\)\n[^]*curl[^]*\n$/.test(stdout)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const seconds = (Date.now() - started) / 1000;
      expect(stdout).toMatch(/test NRMSE [\d.]+/);
      expect(stdout).toMatch(/onnxruntime matches unfold on 800 held-out forecasts: max \|diff\| /);
      expect(stdout).toMatch(/onnxruntime's 300-step free-running rollout matches unfold's/);
      expect(stdout).toMatch(/char-lm: [\d.]+ bits per character on 40 held-out texts/);
      expect(stdout).toMatch(/onnxruntime matches unfold on the logits of 40 validation texts .* and generates the same 6 samples/);
      expect(stdout).toMatch(/seq2seq: greedy exact match [\d.]+%, beam-3 [\d.]+% on 60 held-out pairs/);
      expect(stdout).toMatch(/onnxruntime decodes the 60 held-out sources to the library's tokens \(greedy and beam\)/);
      for (const file of ['forecaster.unfold', 'forecaster.onnx', 'char-lm.unfold', 'char-lm.onnx', 'reverse.unfold', 'reverse/encoder.onnx', 'reverse/decoder_step.onnx', 'reverse/greedy.onnx', 'report.json']) expect(existsSync(join(dir, file)), file).toBe(true);
      expect(stdout).toContain(`report written to ${join(dir, 'report.html')}`);

      const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as Report;
      expect(report.models.map((m) => m.name)).toEqual(['forecaster', 'char-lm', 'reverse']);
      const expected = expectedDrawing(report);
      expect(Object.keys(expected.lines)).toEqual(['forecaster-loss', 'forecaster-forecast', 'char-lm-loss', 'seq2seq-loss']);
      expect(expected.lines['forecaster-forecast']).toEqual({ truth: 316, 'one-step forecast': 300, 'free-running rollout': 300 });
      expect(expected.samples).toEqual({ 'char-lm-samples': 6, 'seq2seq-samples': 6 });
      expect(drawnInHtml(await readFile(join(dir, 'report.html'), 'utf8'))).toEqual(expected);

      const examples = stdout.split('\n').filter((line) => line.startsWith('curl '));
      const operations = examples.map((line) => new URL(parseCurl(line).url).pathname);
      expect(operations.sort()).toEqual(['/models/char-lm/generate', '/models/char-lm/predict', '/models/char-lm/rollout', '/models/char-lm/stream', '/models/forecaster/predict', '/models/forecaster/rollout', '/models/forecaster/stream', '/models/reverse/generate']);
      for (const line of examples) {
        const { url, body } = parseCurl(line);
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        const answer = (await response.json()) as Record<string, unknown>;
        expect(response.status, `${line}\n${JSON.stringify(answer)}`).toBe(200);
        expect(Array.isArray(answer.outputs) || Array.isArray(answer.tokens), JSON.stringify(answer)).toBe(true);
      }
      // The quick preset's budget: under a minute on 2 cores (with slack for a loaded test machine).
      expect(seconds).toBeLessThan(120);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 200_000);
});
