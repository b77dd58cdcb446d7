import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { referenceModel, type ModelName, type ReferenceModel } from '../../../../packages/runtime/test/models';
import { ROOT, workDir } from './servers';

/**
 * The models every end-to-end test serves, written into a fresh folder: three unfold exports made here
 * (a forecaster with normalisation, a sequence tagger, a character language model) with their
 * reference models for expected values, and a PyTorch-exported LSTM from the ONNX package's fixtures.
 */
export const TORCH_FIXTURES = join(ROOT, 'packages/onnx/test/fixtures/torch-onnx');

export interface ModelFolder {
  readonly path: string;
  readonly references: Readonly<Record<ModelName, ReferenceModel>>;
  readonly bytes: Readonly<Record<ModelName, Uint8Array>>;
  dispose(): void;
}

export async function writeModelFolder(label: string): Promise<ModelFolder> {
  const path = join(workDir(label), 'models');
  mkdirSync(path, { recursive: true });
  const references = {} as Record<ModelName, ReferenceModel>;
  for (const name of ['forecaster', 'tagger', 'charlm'] as const) {
    references[name] = await referenceModel(name, 21);
    writeFileSync(join(path, `${name}.onnx`), references[name].bytes);
  }
  copyFileSync(join(TORCH_FIXTURES, 'lstm_bidir_packed_unsorted_h0c0_batch_first.onnx'), join(path, 'torch-lstm.onnx'));
  return {
    path,
    references,
    bytes: Object.fromEntries(Object.entries(references).map(([name, ref]) => [name, ref.bytes])) as Record<ModelName, Uint8Array>,
    dispose: () => {
      Object.values(references).forEach((ref) => ref.model.dispose());
      rmSync(workDir(label), { recursive: true, force: true });
    },
  };
}
