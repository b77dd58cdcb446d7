import * as tf from '@tensorflow/tfjs-core';
import { DataError, defineConfig, defineHead, field, normal, ShapeError } from '@unfold/core';
import { ARCHITECTURES_META } from '../meta';
import { embeddingOnnx } from '../onnx/embedding';

/**
 * `embedding`: token ids to vectors, the input side of language models and taggers.
 *
 *   y[..., :] = E[id, :]        ids [...] int32 in [0, V), E [V, D], y [..., D]
 *
 * Layout: E [V, D] as PyTorch's nn.Embedding (ONNX: Gather on axis 0). Init: N(0, 1), PyTorch's default.
 * Ids outside [0, V) are a DataError (tfjs's gather would silently return zeros for them).
 */
export const embedding = defineHead({
  kind: 'embedding',
  meta: ARCHITECTURES_META,
  schemaVersion: 1,
  summary: 'looks up a learned vector for each token id',
  config: defineConfig({
    vocabularySize: field.int({ doc: 'number of token ids V', min: 1 }),
    embeddingSize: field.int({ doc: 'vector size D', min: 1 }),
  }),
  inputKind: 'tokens',
  inputSize: (config) => config.vocabularySize,
  outputSize: (config) => config.embeddingSize,
  parameters: (config) => [{ name: 'E', shape: [config.vocabularySize, config.embeddingSize], init: normal(1), doc: 'embedding table [V, D]' }],
  apply(params, input, config) {
    if (input.dtype !== 'int32') {
      throw new ShapeError('token ids have the wrong dtype', { where: 'embedding', expected: 'int32 ids', got: input.dtype, fix: 'pass ids as tf.tensor(ids, shape, "int32")' });
    }
    const ids = input.dataSync();
    const bad = ids.findIndex((id) => id < 0 || id >= config.vocabularySize);
    if (bad >= 0) {
      throw new DataError('token id out of range', { where: `embedding: flat index ${bad}`, expected: `an id in [0, ${config.vocabularySize})`, got: String(ids[bad]), fix: 'map unknown tokens to a reserved id, or enlarge vocabularySize' });
    }
    return tf.gather(params.E as tf.Tensor2D, input);
  },
  onnx: embeddingOnnx,
});
