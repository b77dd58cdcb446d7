import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { createRuntime, isRuntimeError, type UnfoldModel } from '../src/index';
import { asUnfold } from './kit';

/**
 * The v1 baseline (recorded before "contracts v2" by tools/fixtures/record-v1-baseline.mjs): files today's
 * exporter wrote, and the answers today's runtime gave on them. Every recorded request is replayed on the
 * committed file and must give the same answer to the last bit (float32 values round-trip through JSON).
 * Do not regenerate the fixtures to make this pass: a difference is a change of v1 behaviour.
 */
interface RecordedCall {
  readonly op: 'predict' | 'stream' | 'rollout';
  readonly request: Record<string, unknown>;
  readonly answer: unknown;
}

interface Answers {
  readonly models: Record<string, { readonly file: string; readonly operations: readonly string[]; readonly calls: readonly RecordedCall[] }>;
}

const folder = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/v1');
const answers = JSON.parse(readFileSync(join(folder, 'answers.json'), 'utf8')) as Answers;
const runtime = createRuntime(ort);

async function replay(model: UnfoldModel, call: RecordedCall): Promise<unknown> {
  try {
    return await model[call.op](call.request as never);
  } catch (error) {
    if (isRuntimeError(error)) return { error: error.code };
    throw error;
  }
}

describe('v1 files and answers (before contracts v2)', () => {
  it('has the four recorded models', () => expect(Object.keys(answers.models).sort()).toEqual(['charlm', 'echo', 'forecaster', 'tagger']));

  it.each(Object.entries(answers.models))('%s: a v1 export loads and gives the recorded answers bit for bit', async (name, recorded) => {
    const model = asUnfold(await runtime.load(new Uint8Array(readFileSync(join(folder, recorded.file))), { name }));
    try {
      expect(model.describe().operations).toEqual(recorded.operations);
      for (const [index, call] of recorded.calls.entries()) {
        expect(await replay(model, call), `${name} call ${index} (${call.op})`).toEqual(call.answer);
      }
    } finally {
      await model.release();
    }
  });
});
