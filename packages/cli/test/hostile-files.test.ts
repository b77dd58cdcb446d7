import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSafetensors } from '@unfold/core';
import { afterAll, describe, expect, it } from 'vitest';
import { craftCheckpoint, deepArray, deepSpec } from '../../core/test/hostile-checkpoints';
import { constantOfShapeGraph, rangeGraph } from '../../onnx/test/import/graphs';
import { HOSTILE_ONNX } from '../../runtime/test/hostile-files';
import { cliWorkspace, runBundled } from './subprocess';

/**
 * The hostile-file suite of issue 15: crafted checkpoints and ONNX files (items 2, 3, 4, 6, 7 and 9) and
 * an inputs file nested 100,000 deep, each run through the real `unfold` command as a child process.
 * Every one must end with a typed error (its `code` on stderr), exit code 2, within 5 s and under 500 MB
 * of peak memory, measured as the child's own peak RSS (`process.resourceUsage().maxRSS`, written by a
 * preloaded hook when it exits).
 */
const workspace = cliWorkspace('hostile-files');

interface Outcome {
  readonly code: number;
  readonly stderr: string;
  readonly ms: number;
  readonly peakMiB: number;
}

const PEAK_HOOK = "process.on('exit', () => require('node:fs').writeSync(2, `\\n[peak-rss-kib ${process.resourceUsage().maxRSS}]\\n`));\n";

function runMeasured(args: readonly string[]): Promise<Outcome> {
  const hook = join(workspace.dir, 'peak-rss.cjs');
  writeFileSync(hook, PEAK_HOOK);
  const started = performance.now();
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--require', hook, workspace.cli, ...args], { env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' }, timeout: 60_000, maxBuffer: 1 << 24 }, (error, _stdout, stderr) => {
      const peak = /\[peak-rss-kib (\d+)\]/.exec(stderr);
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr, ms: performance.now() - started, peakMiB: peak ? Number(peak[1]) / 1024 : Number.NaN });
    });
    child.stdin?.end();
  });
}

const measured: Outcome[] = [];

afterAll(() => {
  if (measured.length === 0) return;
  const worst = (f: (o: Outcome) => number) => Math.max(...measured.map(f)).toFixed(0);
  console.log(`hostile files: ${measured.length} runs, all exit 2; slowest ${worst((o) => o.ms)} ms, largest peak RSS ${worst((o) => o.peakMiB)} MiB`);
});

function expectTypedFailure(outcome: Outcome, code: string, pattern: RegExp): void {
  measured.push(outcome);
  expect(outcome.stderr).toMatch(new RegExp(`^unfold: ${code}: `, 'm'));
  expect(outcome.stderr).toMatch(pattern);
  expect(outcome.code).toBe(2);
  expect(outcome.ms).toBeLessThan(5000);
  expect(outcome.peakMiB).toBeLessThan(500);
}

/** A small real checkpoint and its export, made once. */
async function realModel(): Promise<{ checkpoint: Uint8Array; onnx: Uint8Array }> {
  const checkpoint = join(workspace.dir, 'real.unfold');
  const onnx = join(workspace.dir, 'real.onnx');
  if ((await runBundled(workspace.cli, ['train', '--epochs', '1', '--hidden', '4', '--window', '4', '-o', checkpoint])).code !== 0) throw new Error('train failed');
  if ((await runBundled(workspace.cli, ['export', checkpoint, '-o', onnx])).code !== 0) throw new Error('export failed');
  return { checkpoint: new Uint8Array(readFileSync(checkpoint)), onnx: new Uint8Array(readFileSync(onnx)) };
}

let real: { checkpoint: Uint8Array; onnx: Uint8Array } | undefined;
const model = async () => (real ??= await realModel());

function write(name: string, bytes: Uint8Array | string): string {
  const path = join(workspace.dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** The real checkpoint re-crafted (valid CRC) with its spec text or tensors changed. */
async function checkpointWith(change: { spec?: (spec: string) => string; extraTensors?: [string, { shape: number[]; data: Float32Array }][] }): Promise<Uint8Array> {
  const { metadata, tensors } = decodeSafetensors((await model()).checkpoint);
  const { crc32: _crc, ...rest } = metadata;
  const spec = change.spec ? change.spec(metadata.spec as string) : (metadata.spec as string);
  return craftCheckpoint({ ...rest, spec }, [...Object.entries(tensors).sort(([a], [b]) => (a < b ? -1 : 1)), ...(change.extraTensors ?? [])]);
}

describe('hostile files through the unfold command (issue 15)', () => {
  it('item 2: an initializer whose dims say [2^40] over 8 bytes (run and serve)', async () => {
    const path = write('false-dims.onnx', HOSTILE_ONNX.falseInitializerDims((await model()).onnx));
    const inputs = write('inputs.json', JSON.stringify({ input: [[[0.5], [0.6], [0.7], [0.8]]] }));
    expectTypedFailure(await runMeasured(['run', path, '--inputs', inputs]), 'E_MODEL', /declare more data than a model may hold/);
    expectTypedFailure(await runMeasured(['serve', path, '--port', '0']), 'E_MODEL', /declare more data than a model may hold/);
    expectTypedFailure(await runMeasured(['run', write('short-data.onnx', HOSTILE_ONNX.initializerDataShort((await model()).onnx)), '--inputs', inputs]), 'E_MODEL', /data does not match its dims/);
  }, 120_000);

  it('items 4 and 9: deep metadata and metadata the graph contradicts (serve)', async () => {
    const onnx = (await model()).onnx;
    expectTypedFailure(await runMeasured(['serve', write('deep-spec.onnx', HOSTILE_ONNX.deepSpec(onnx)), '--port', '0']), 'E_MODEL', /unfold\.spec is nested too deeply/);
    expectTypedFailure(await runMeasured(['serve', write('deep-metadata.onnx', HOSTILE_ONNX.deepMetadata(onnx)), '--port', '0']), 'E_MODEL', /unfold\.metadata is nested too deeply/);
    expectTypedFailure(await runMeasured(['inspect', write('deep-spec-inspect.onnx', HOSTILE_ONNX.deepSpec(onnx))]), 'E_SERIALIZATION', /unfold\.spec" is nested too deeply/);
    expectTypedFailure(await runMeasured(['serve', write('huge-state.onnx', HOSTILE_ONNX.hugeStateSize(onnx)), '--port', '0']), 'E_MODEL', /states\[0\]/);
    expectTypedFailure(await runMeasured(['serve', write('huge-dim.onnx', HOSTILE_ONNX.hugeInputDim(onnx)), '--port', '0']), 'E_MODEL', /a graph dimension is out of range/);
  }, 120_000);

  it('item 3: tiny graphs that ask the importer for huge constants (import)', async () => {
    const cases: [string, Uint8Array, RegExp][] = [
      ['cos-3e8.onnx', constantOfShapeGraph([3e8]), /ConstantOfShape is too large to evaluate/],
      ['cos-2e32.onnx', constantOfShapeGraph([2 ** 32]), /ConstantOfShape is too large to evaluate/],
      ['range-zero.onnx', rangeGraph(0, -1, 0), /Range with a zero or non-finite bound/],
      ['range-1e10.onnx', rangeGraph(0, 1e10, 1), /Range is too large to evaluate/],
    ];
    for (const [name, bytes, pattern] of cases) {
      expectTypedFailure(await runMeasured(['import', write(name, bytes), '-o', join(workspace.dir, `${name}.unfold`)]), 'E_SERIALIZATION', pattern);
    }
  }, 120_000);

  it('items 4, 6 and 7: deep specs, a __proto__ tensor, 1.5 million empty tensors (export)', async () => {
    const out = join(workspace.dir, 'out.onnx');
    const deep = await checkpointWith({ spec: (spec) => deepSpec(10_000, spec) });
    expectTypedFailure(await runMeasured(['export', write('deep-spec.unfold', deep), '-o', out]), 'E_SERIALIZATION', /metadata spec is nested too deeply/);
    const deepMetadata = await checkpointWith({ spec: (spec) => JSON.stringify({ ...JSON.parse(spec), metadata: { x: 0 } }).replace('{"x":0}', deepArray(200_000)) });
    expectTypedFailure(await runMeasured(['export', write('deep-metadata.unfold', deepMetadata), '-o', out]), 'E_SERIALIZATION', /metadata spec is nested too deeply/);
    const proto = await checkpointWith({ extraTensors: [['__proto__', { shape: [1], data: new Float32Array([1]) }]] });
    expectTypedFailure(await runMeasured(['export', write('proto.unfold', proto), '-o', out]), 'E_SERIALIZATION', /unexpected weight "__proto__"/);
    const { metadata } = decodeSafetensors((await model()).checkpoint);
    const { crc32: _crc, ...rest } = metadata;
    const empty = { shape: [0], data: new Float32Array(0) };
    const many = craftCheckpoint(rest, Array.from({ length: 1_500_000 }, (_, i) => [`t${i}`, empty] as const));
    expectTypedFailure(await runMeasured(['export', write('many.unfold', many), '-o', out]), 'E_SERIALIZATION', /header lists too many tensors/);
  }, 120_000);

  it('item 4: an --inputs file nested 100,000 deep (run)', async () => {
    const path = write('plain.onnx', (await model()).onnx);
    const outcome = await runMeasured(['run', path, '--inputs', write('deep-inputs.json', `{"input": ${deepArray(100_000)}}`)]);
    expect(outcome.stderr).toMatch(/^unfold: .*deep-inputs\.json nests more than 32 levels deep/m);
    expect(outcome.code).toBe(2);
    expect(outcome.ms).toBeLessThan(5000);
    expect(outcome.peakMiB).toBeLessThan(500);
  }, 120_000);
});
