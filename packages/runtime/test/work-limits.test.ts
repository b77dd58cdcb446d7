import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, DEFAULT_LIMITS, isRuntimeError, type LoadedModel } from '../src/index';
import { referenceModel, type ReferenceModel } from './models';

/**
 * Issue 15, item 1 (the runtime's half): a request's work and answer size are bounded before anything
 * runs. The audit's amplifying request, 64 sequences × 4,096 ids to a character model, answered 37 MB of
 * JSON after 2 s of work; now it is E_LIMIT (maxSteps, then maxOutputElements) in milliseconds.
 */
const runtime = createRuntime(ort);
let charlm: ReferenceModel;
let model: LoadedModel;

beforeAll(async () => {
  charlm = await referenceModel('charlm');
  model = await runtime.load(charlm.bytes, { name: 'charlm' });
});

afterAll(async () => {
  await model.release();
  charlm.model.dispose();
});

async function limitOf(operation: string, request: unknown, limits = {}): Promise<{ limit: string | undefined; ms: number }> {
  const started = performance.now();
  try {
    await model.run(operation, request, { limits });
  } catch (error) {
    if (isRuntimeError(error, 'E_LIMIT')) return { limit: error.details.limit, ms: performance.now() - started };
    throw error;
  }
  throw new Error('no E_LIMIT');
}

const ids = (batch: number, time: number) => Array.from({ length: batch }, (_, b) => Array.from({ length: time }, (_, t) => (b + t) % 7));

describe('work and answer limits, checked before the model runs', () => {
  it('the audit’s 64 × 4,096 predict is E_LIMIT maxSteps at once', async () => {
    const { limit, ms } = await limitOf('predict', { inputs: ids(64, 4096) });
    expect(limit).toBe('maxSteps');
    expect(ms).toBeLessThan(500);
    expect(64 * 4096).toBeGreaterThan(DEFAULT_LIMITS.maxSteps);
  });

  it('an answer of more numbers than maxOutputElements is E_LIMIT before running', async () => {
    // 16 × 256 steps: within maxSteps; the answer is 4,096 rows × 7 outputs + states.
    expect((await limitOf('predict', { inputs: ids(16, 256) }, { maxOutputElements: 20_000 })).limit).toBe('maxOutputElements');
    expect((await limitOf('stream', { inputs: ids(16, 256) }, { maxOutputElements: 28_700 })).limit).toBe('maxOutputElements');
    const result = (await model.run('predict', { inputs: ids(16, 256) }, { limits: { maxOutputElements: 16 * 256 * 7 + 16 * 6 } })) as { outputs: number[][][] };
    expect(result.outputs).toHaveLength(16);
  });

  it('a rollout’s whole work and answer are bounded: batch × (context + steps), batch × steps', async () => {
    expect((await limitOf('rollout', { inputs: ids(64, 4), steps: 1024 })).limit).toBe('maxSteps');
    expect((await limitOf('rollout', { inputs: ids(8, 4), steps: 512 }, { maxOutputElements: 4000 })).limit).toBe('maxOutputElements');
  });
});
