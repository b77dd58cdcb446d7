import type { Tensor } from '@tensorflow/tfjs-core';

/**
 * Ports: the named inputs and outputs of a model or layer, each with a kind.
 *
 *   features  [B, T, size] float32, with lengths          (sensor streams, embeddings)
 *   tokens    [B, T] int32 ids in [0, size), with lengths   (text; `size` is the vocabulary)
 *   vector    [B, size] float32                            (an encoder summary, a class score)
 *   tree      a forest: node inputs, child indices, an evaluation order (see TreeValue)
 *
 * A v1 layer declares none and gets the default pair: one `input` port (its `inputKind`, `inputSize`) and
 * one `output` port of features (`outputSize`). The primary input travels as `SequenceInput.x`/`lengths`;
 * further inputs travel by name in `SequenceInput.ports`, further outputs in `SequenceOutput.ports`.
 */
export type PortKind = 'features' | 'tokens' | 'vector' | 'tree';

export interface PortSpec {
  readonly name: string;
  readonly kind: PortKind;
  /** Features per step (features, vector, tree nodes with features), or the vocabulary size (tokens). */
  readonly size: number;
  /** For a tree port: whether nodes carry token ids (default) or feature vectors. */
  readonly nodes?: 'tokens' | 'features';
  readonly doc?: string;
}

/** The name of the default input port (`SequenceInput.x`) and output port (`SequenceOutput.outputs`). */
export const DEFAULT_INPUT_PORT = 'input';
export const DEFAULT_OUTPUT_PORT = 'output';
/** The input port of a decoder's own inputs: a seq2seq model's `target`, <bos> and the target shifted right. */
export const DECODER_INPUT_PORT = 'target';

/** A sequence (features or tokens) or vector value travelling through a named port. */
export interface PortValue {
  /** features [B, T, I] float32; tokens [B, T] int32; vector [B, I] float32. */
  readonly x: Tensor;
  /** Real length of each sequence (sequence ports only); default all T. */
  readonly lengths?: Int32Array;
}

/**
 * A forest flattened for batched evaluation: node n of the forest reads `nodes[n]` and its children
 * `children[n·arity .. n·arity + arity)` (−1 for none); `levels[h]` lists the nodes of height h, so all
 * nodes of one height are computed in one batched operation; `roots[b]` is tree b's root.
 */
export interface TreeValue {
  /** [N] int32 token ids, or [N, I] float32 features. */
  readonly nodes: Tensor;
  readonly children: Int32Array;
  readonly arity: number;
  readonly levels: readonly Int32Array[];
  readonly roots: Int32Array;
}
