import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as engine from '@unfold/engine';
import { createModelBuilder, serializeGraph } from '@unfold/onnx';
import { isRuntimeError, type OrtModule, type UnfoldModel } from '@unfold/runtime';
import * as ortNode from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceModel, worstExcess, type ReferenceModel } from '../../../packages/runtime/test/models';
import { DEFAULT_LOADERS, openEngine, serveNode, type EngineLoaders } from '../src/node';
import { engineFromEnv } from '../src/workers/env';
import { call, post } from './support/client';

/**
 * Choosing the engine: `compact` (@unfold/engine), `ort-node`, `ort-web`, and `auto`, which opens a file
 * on the compact engine and sends it, or a large call, to onnxruntime. Loaders are wrapped to count what
 * each engine loaded, opened and ran.
 */
let folder: string;
let tagger: ReferenceModel;
let erf: Uint8Array;

/** A one-node graph with an operator the compact engine does not implement (Erf). */
function erfModel(): Uint8Array {
  expect(Object.hasOwn(engine.supportedOperators, 'Erf')).toBe(false);
  const graph = createModelBuilder(['x', 'y']);
  const [y] = graph.node('Erf', [graph.input('x', { dtype: 'float32', shape: ['n'] })], {}, { stem: 'the_erf' });
  graph.output('y', y as never, { dtype: 'float32', shape: ['n'] });
  return serializeGraph(graph, { name: 'erf' });
}

interface Counts {
  loaded: string[];
  opened: string[];
  ran: string[];
}

/** The default loaders, each module wrapped so that loads, sessions and runs are counted by engine. */
function countingLoaders(): { loaders: EngineLoaders; counts: Counts } {
  const counts: Counts = { loaded: [], opened: [], ran: [] };
  const wrap = <M extends OrtModule>(name: string, module: M): M => {
    counts.loaded.push(name);
    const create = async (bytes: Uint8Array, options?: unknown) => {
      const session = await (module.InferenceSession.create as unknown as (b: Uint8Array, o?: unknown) => Promise<{ run(f: unknown): Promise<unknown>; inputNames: string[]; outputNames: string[]; release(): Promise<void> }>)(bytes, options);
      counts.opened.push(name);
      return { inputNames: session.inputNames, outputNames: session.outputNames, release: () => session.release(), run: (feeds: unknown) => (counts.ran.push(name), session.run(feeds)) };
    };
    return { ...module, InferenceSession: { create } } as unknown as M;
  };
  return {
    counts,
    loaders: {
      compact: async (threads) => wrap('compact', await DEFAULT_LOADERS.compact(threads)),
      ortNode: async () => wrap('ort-node', await DEFAULT_LOADERS.ortNode()),
      ortWeb: async (threads) => wrap('ort-web', await DEFAULT_LOADERS.ortWeb(threads)),
    },
  };
}

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'unfold-engines-'));
  tagger = await referenceModel('tagger', 4);
  writeFileSync(join(folder, 'tagger.onnx'), tagger.bytes);
  erf = erfModel();
});

afterAll(() => {
  tagger.model.dispose();
  rmSync(folder, { recursive: true, force: true });
});

describe('engines', () => {
  it.each(['compact', 'ort-node', 'ort-web', 'auto'] as const)('serves with --engine %s, answers as unfold does and says which engine in /health', async (name) => {
    const { loaders, counts } = countingLoaders();
    const server = await serveNode({ models: folder, port: 0, engine: name, loaders });
    try {
      const inputs = [[[0.5, -0.5, 0.25], [0.1, 0.2, 0.3]]];
      const answer = await post(`${server.url}/models/tagger/predict`, { inputs });
      expect(answer.status).toBe(200);
      expect(worstExcess(answer.body.outputs, tagger.forward(inputs).outputs)).toBeLessThanOrEqual(0);
      const health = (await call(`${server.url}/health`)).body;
      expect(health.engine).toBe(name);
      expect(server.engineLines[0]).toMatch(new RegExp(`^unfold-edge: engine ${name}: `));
      // Only the engine asked for is loaded; auto's onnxruntime waits for a file or call that needs it.
      const runsOn = name === 'auto' ? 'compact' : name;
      expect(counts.loaded).toEqual([runsOn]);
      expect(counts.ran).toEqual([runsOn]);
      if (name === 'compact' || name === 'auto') expect(health.compact).toEqual({ version: engine.version });
      if (name === 'auto') expect(server.engineLines).toContain('unfold-edge: model tagger runs on compact (calls above the threshold on onnxruntime-node)');
      if (name.startsWith('ort-')) expect(health.onnxruntime).toMatchObject({ flavour: `onnxruntime-${name.slice(4)}`, common: '1.30.0' });
    } finally {
      await server.close();
    }
  });

  it('refuses, on the compact engine, a file with an operator it lacks: the node, the operator and the fix, before any run', async () => {
    const opened = await openEngine({ engine: 'compact' });
    const error = await opened.runtime.load(erf, { name: 'erf' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isRuntimeError(error, 'E_MODEL')).toBe(true);
    expect((error as Error).message).toMatch(/the_erf/);
    expect((error as Error).message).toMatch(/Erf/);
    expect((error as Error).message).toMatch(/--engine ort-node/);
    const served = join(folder, 'with-erf');
    rmSync(served, { recursive: true, force: true });
    mkdirSync(served);
    writeFileSync(join(served, 'erf.onnx'), erf);
    await expect(serveNode({ models: served, port: 0, engine: 'compact' })).rejects.toMatchObject({ name: 'ModelFolderError', code: 'E_MODEL', message: expect.stringMatching(/erf\.onnx: .*the_erf.*Erf.*--engine ort-node/s) });
  });

  it('auto: a refused file runs on onnxruntime whole; on an accepted one, calls above the threshold do', async () => {
    const { loaders, counts } = countingLoaders();
    const opened = await openEngine({ engine: 'auto', loaders, rule: { maxCompactElements: 3 * 4 } });
    const model = (await opened.runtime.load(tagger.bytes, { name: 'tagger' })) as UnfoldModel;
    expect(counts).toEqual({ loaded: ['compact'], opened: ['compact'], ran: [] });
    const small = randomInputs(1, 4); // 12 input numbers: compact
    const large = randomInputs(2, 4); // 24: onnxruntime-node, opened on first need
    const answers = [await model.predict({ inputs: small }), await model.predict({ inputs: large }), await model.predict({ inputs: large })];
    expect(counts).toEqual({ loaded: ['compact', 'ort-node'], opened: ['compact', 'ort-node'], ran: ['compact', 'ort-node', 'ort-node'] });
    expect(worstExcess(answers[0]?.outputs, tagger.forward(small).outputs)).toBeLessThanOrEqual(0);
    expect(worstExcess(answers[1]?.outputs, tagger.forward(large).outputs)).toBeLessThanOrEqual(0);
    const graph = await opened.runtime.load(erf, { name: 'erf' });
    expect(opened.choices()).toEqual([
      { model: 'tagger', choice: { engine: 'compact', largeCalls: 'fallback' } },
      { model: 'erf', choice: { engine: 'fallback', because: expect.stringMatching(/the_erf.*Erf/s) } },
    ]);
    const x = [0, 0.5, -1];
    const erfAnswer = (await graph.predict({ inputs: { x } } as never)) as { outputs: { y: number[] } };
    expect(erfAnswer.outputs.y.map((v) => Math.round(v * 1e4) / 1e4)).toEqual([0, 0.5205, -0.8427]);
    expect(counts.ran.at(-1)).toBe('ort-node');
    await Promise.all([model.release(), graph.release()]);
    // The fallback is the one given: onnxruntime-web where there is no native onnxruntime.
    const web = countingLoaders();
    const onWeb = await openEngine({ engine: 'auto', fallback: 'ort-web', loaders: web.loaders });
    await (await onWeb.runtime.load(erf, { name: 'erf' })).release();
    expect(web.counts.loaded).toEqual(['compact', 'ort-web']);
  });

  it('auto: a served folder logs, per model, what it runs on', async () => {
    const served = mkdtempSync(join(tmpdir(), 'unfold-auto-'));
    try {
      writeFileSync(join(served, 'tagger.onnx'), tagger.bytes);
      writeFileSync(join(served, 'erf.onnx'), erf);
      const server = await serveNode({ models: served, port: 0, engine: 'auto' });
      try {
        expect(server.engineLines).toEqual([
          expect.stringMatching(/^unfold-edge: engine auto: the compact engine \(@unfold\/engine\) \S+ for files it runs and calls whose largest input has at most \d+ numbers, onnxruntime-node \(loaded on first need\) otherwise$/),
          expect.stringMatching(/^unfold-edge: model erf runs on onnxruntime-node, because .*the_erf.*Erf/s),
          'unfold-edge: model tagger runs on compact (calls above the threshold on onnxruntime-node)',
        ]);
        expect((await post(`${server.url}/models/erf/predict`, { inputs: { x: [1] } })).body.outputs.y[0]).toBeCloseTo(0.8427, 4);
      } finally {
        await server.close();
      }
    } finally {
      rmSync(served, { recursive: true, force: true });
    }
  });

  it('a Worker takes UNFOLD_ENGINE among the engines it carries, and names the other Worker for the rest', () => {
    const compact = ['compact', 'auto'] as const;
    expect(engineFromEnv({}, compact, 'wrangler.ort.json')).toBe('compact');
    expect(engineFromEnv({ UNFOLD_ENGINE: 'auto' }, compact, 'wrangler.ort.json')).toBe('auto');
    expect(() => engineFromEnv({ UNFOLD_ENGINE: 'ort-web' }, compact, 'the onnxruntime-web Worker (wrangler.ort.json)')).toThrow('UNFOLD_ENGINE=ort-web: this Worker is built with compact / auto only; deploy the onnxruntime-web Worker (wrangler.ort.json) for ort-web');
    expect(() => engineFromEnv({ UNFOLD_ENGINE: 'gpu' }, compact, 'x')).toThrow('UNFOLD_ENGINE must be one of compact, ort-node, ort-web, auto; got "gpu"');
  });

  it('the engine modules are the real ones: compact is @unfold/engine, ort-node is onnxruntime-node', async () => {
    expect((await DEFAULT_LOADERS.compact(1)).version).toBe(engine.version);
    expect((await DEFAULT_LOADERS.ortNode()).InferenceSession).toBe(ortNode.InferenceSession);
  });
});

/** `batch` sequences of `steps` × 3 numbers in [-1, 1), fixed. */
function randomInputs(batch: number, steps: number): number[][][] {
  let s = 11;
  const next = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  return Array.from({ length: batch }, () => Array.from({ length: steps }, () => [next(), next(), next()]));
}
