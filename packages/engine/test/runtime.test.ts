import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRuntime, isRuntimeError, type UnfoldModel } from '@unfold/runtime';
import { describe, expect, it } from 'vitest';
import * as engine from '../src/index';

/**
 * The engine module is an onnxruntime flavour for the runtime: `createRuntime(engine)` loads unfold's
 * files and answers the v1 baseline's recorded requests (packages/runtime/test/fixtures/v1, recorded on
 * onnxruntime-node) within 1e-5 for every number, the same error codes, and the same sampled tokens.
 */
interface RecordedCall {
  readonly op: 'predict' | 'stream' | 'rollout';
  readonly request: Record<string, unknown>;
  readonly answer: unknown;
}

const folder = join(import.meta.dirname, '../../runtime/test/fixtures/v1');
const answers = JSON.parse(readFileSync(join(folder, 'answers.json'), 'utf8')) as { models: Record<string, { file: string; operations: string[]; calls: RecordedCall[] }> };
const runtime = createRuntime(engine);

/** Throws naming the path where two answers differ (numbers by more than 1e-5). */
function expectClose(got: unknown, want: unknown, path: string): void {
  if (typeof want === 'number' && typeof got === 'number') {
    if (!(Math.abs(got - want) <= 1e-5)) throw new Error(`${path}: ${got} differs from the recorded ${want}`);
    return;
  }
  if (Array.isArray(want) && Array.isArray(got) && got.length === want.length) return want.forEach((w, i) => expectClose(got[i], w, `${path}[${i}]`));
  if (want && got && typeof want === 'object' && typeof got === 'object' && !Array.isArray(want)) {
    expect(Object.keys(got as object).sort(), path).toEqual(Object.keys(want as object).sort());
    for (const [key, value] of Object.entries(want)) expectClose((got as Record<string, unknown>)[key], value, `${path}.${key}`);
    return;
  }
  expect(got, path).toEqual(want);
}

describe('the runtime over the compact engine', () => {
  it('reports the engine’s version', () => expect(runtime.versions).toEqual({ engine: engine.version }));

  it.each(Object.entries(answers.models))('%s: loads and answers the recorded requests within 1e-5', async (name, recorded) => {
    const model = (await runtime.load(new Uint8Array(readFileSync(join(folder, recorded.file))), { name })) as UnfoldModel;
    try {
      expect(model.describe().operations).toEqual(recorded.operations);
      for (const [index, call] of recorded.calls.entries()) {
        let answer: unknown;
        try {
          answer = await model[call.op](call.request as never);
        } catch (error) {
          if (!isRuntimeError(error)) throw error;
          answer = { error: error.code };
        }
        expectClose(answer, call.answer, `${name} call ${index} (${call.op})`);
      }
    } finally {
      await model.release();
    }
  });
});
