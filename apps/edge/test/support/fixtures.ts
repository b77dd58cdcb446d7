import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { referenceModel, type ModelName, type ReferenceModel } from '../../../../packages/runtime/test/models';
import { seq2seqReference, type Seq2seqReference } from '../../../../packages/runtime/test/seq2seq-models';
import { treeReference, type TreeReference } from '../../../../packages/runtime/test/tree-models';
import { setupBackend } from '@unfold/core';
import { ROOT, workDir } from './servers';

/**
 * The models every end-to-end test serves, written into a fresh folder: three unfold exports made here
 * (a forecaster with normalisation, a sequence tagger, a character language model) with their
 * reference models for expected values, a tree model (`tree`: an N-ary Tree-LSTM over arithmetic tokens,
 * its tokenizer in the file) with unfold's tree layer as its reference, a seq2seq model (`reverse`: a folder of
 * entries, encoder + decoder_step + greedy, character tokenizers in the files) with unfold's model as its
 * reference, and a PyTorch-exported LSTM from the ONNX package's fixtures.
 */
export const TORCH_FIXTURES = join(ROOT, 'packages/onnx/test/fixtures/torch-onnx');

export interface ModelFolder {
  readonly path: string;
  readonly references: Readonly<Record<ModelName, ReferenceModel>>;
  readonly bytes: Readonly<Record<ModelName, Uint8Array>>;
  /** The tree model served as `tree`. */
  readonly tree: TreeReference;
  /** The seq2seq model served as `reverse` (additive attention, input feeding; random weights). */
  readonly seq2seq: Seq2seqReference;
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
  const tree = await treeReference('arithmetic', 21);
  writeFileSync(join(path, 'tree.onnx'), tree.bytes);
  await setupBackend();
  const seq2seq = seq2seqReference('additive', 21);
  mkdirSync(join(path, 'reverse'));
  for (const [file, bytes] of Object.entries(seq2seq.files)) writeFileSync(join(path, 'reverse', file), bytes);
  copyFileSync(join(TORCH_FIXTURES, 'lstm_bidir_packed_unsorted_h0c0_batch_first.onnx'), join(path, 'torch-lstm.onnx'));
  return {
    path,
    references,
    tree,
    seq2seq,
    bytes: Object.fromEntries(Object.entries(references).map(([name, ref]) => [name, ref.bytes])) as Record<ModelName, Uint8Array>,
    dispose: () => {
      Object.values(references).forEach((ref) => ref.model.dispose());
      tree.model.dispose();
      seq2seq.model.dispose();
      rmSync(workDir(label), { recursive: true, force: true });
    },
  };
}
