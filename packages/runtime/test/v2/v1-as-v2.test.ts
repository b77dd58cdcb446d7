import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { createRuntime, isRuntimeError, readModelInfo, type UnfoldModel } from '../../src/index';
import { asUnfold } from '../kit';
import { withMetadata } from './onnx-writer';

/**
 * The committed v1 files with their metadata rewritten as v2 (the interface written out by hand here, not
 * by the runtime's v1 reader) give the recorded v1 answers bit for bit: both formats reach the same view.
 */
const folder = join(import.meta.dirname, '../fixtures/v1');
const answers = JSON.parse(readFileSync(join(folder, 'answers.json'), 'utf8')) as { models: Record<string, { file: string; operations: string[]; calls: { op: 'predict' | 'stream' | 'rollout'; request: unknown; answer: unknown }[] }> };
const runtime = createRuntime(ort);

/** What each v1 file emits, declared here as a v2 exporter declares it. */
const SEMANTICS: Record<string, { emits: string; vocabulary: number | null }> = {
  forecaster: { emits: 'features', vocabulary: null },
  tagger: { emits: 'features', vocabulary: null },
  echo: { emits: 'features', vocabulary: null },
  charlm: { emits: 'probabilities', vocabulary: 6 },
};

function asV2(bytes: Uint8Array, name: string, tasks: readonly string[]): Uint8Array {
  const metadata = readModelInfo(bytes).metadata;
  const v1 = JSON.parse(metadata['unfold.interface'] as string) as { inputKind: string; readout: string; inputs: { name: string; shape: unknown[] }[]; outputs: { name: string; shape: unknown[] }[]; states: { path: string; size: number; input: string | null; output: string }[] };
  const semantics = SEMANTICS[name] as { emits: string; vocabulary: number | null };
  const lastDim = (list: { name: string; shape: unknown[] }[], value: string) => list.find((t) => t.name === value)?.shape.at(-1) as number;
  const v2 = {
    version: 2,
    entry: 'main',
    tasks,
    ports: {
      inputs: [{ name: 'input', kind: v1.inputKind, size: semantics.vocabulary ?? lastDim(v1.inputs, 'input'), tensor: 'input', lengths: v1.inputs.some((t) => t.name === 'sequence_lens') ? 'sequence_lens' : null }],
      outputs: [{ name: 'output', kind: 'features', size: lastDim(v1.outputs, 'output'), tensor: 'output' }],
    },
    semantics: { readout: v1.readout, emits: semantics.emits, vocabulary: semantics.vocabulary ? { size: semantics.vocabulary } : null, tokenizer: null },
    inputs: v1.inputs,
    outputs: v1.outputs,
    states: v1.states.map((s) => ({ ...s, shape: [s.size] })),
  };
  return withMetadata(bytes, { ...metadata, 'unfold.format': 'unfold-onnx/2', 'unfold.interface': JSON.stringify(v2) });
}

async function replay(model: UnfoldModel, op: 'predict' | 'stream' | 'rollout', request: unknown): Promise<unknown> {
  try {
    return await model[op](request as never);
  } catch (error) {
    if (isRuntimeError(error)) return { error: error.code };
    throw error;
  }
}

describe('v1 files rewritten as v2', () => {
  it.each(Object.entries(answers.models))('%s answers as its v1 file did', async (name, recorded) => {
    const bytes = asV2(new Uint8Array(readFileSync(join(folder, recorded.file))), name, recorded.operations);
    const model = asUnfold(await runtime.load(bytes, { name }));
    try {
      expect(model.describe().operations).toEqual(recorded.operations);
      for (const [index, call] of recorded.calls.entries()) expect(await replay(model, call.op, call.request), `${name} call ${index}`).toEqual(call.answer);
    } finally {
      await model.release();
    }
  });
});
