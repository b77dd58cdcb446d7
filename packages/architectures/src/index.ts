// Public API of @unfold/architectures. An explicit list: what is not named here is internal.
export { bidirectional, MERGE_MODES, type MergeMode } from './bidirectional';
export { checkSequenceInput } from './input-checks';
export type { InputSpec } from '@unfold/core';
export { dense, DENSE_ACTIVATIONS, type DenseActivation } from './heads/dense';
export { embedding } from './heads/embedding';
export { outputFeedback } from './output-feedback';
export { recurrent } from './recurrent';
export { lastStep, sequenceModel } from './sequence-model';
export { forwardUnchecked, runCell, runSequence, splitStates, type CellRunOptions } from './sequence';
export { expectInputSize } from './sizes';
/** Re-exported from @unfold/core, where they moved in contracts v2. */
export { inputSizeOf, inputSpecOf, outputSizeOf, stateOf } from '@unfold/core';
export {
  additiveAttention,
  attend,
  attentionFamily,
  attentionScorers,
  bridge,
  cellStateCount,
  checkParts,
  decodeSequence,
  DECODER_STEP_ENTRY,
  ENCODER_ENTRY,
  GENERATE_TASK,
  GREEDY_ENTRY,
  initialStateName,
  seq2seqExports,
  decodeSources,
  decoderStates,
  decoderStep,
  dotAttention,
  encode,
  generalAttention,
  partsOf,
  runSeq2seq,
  seq2seq,
  shiftRight,
  sizesOf,
  tfjsDecoder,
  type AdditiveConfig,
  type Attended,
  type AttentionOnnx,
  type AttentionOnnxContext,
  type AttentionPlugin,
  type Decoded,
  type DecoderState,
  type DotConfig,
  type Encoded,
  type Memory,
  type Seq2seqConfig,
  type Seq2seqParts,
  type Seq2seqSizes,
  type StepResult,
} from './seq2seq/index';
export { stacked } from './stacked';
export {
  cellArity,
  buildForestGraph,
  checkTreeValue,
  FOREST_INPUTS,
  FOREST_OUTPUTS,
  forestFeeds,
  type ForestGraphBuilder,
  childSumTreeLstm,
  evaluateForest,
  evaluateNodeByNode,
  flattenForest,
  isTreeError,
  levelsOf,
  maskedTreeLoss,
  nodeTargets,
  rootTargets,
  naryTreeLstm,
  parseBracketed,
  parseTree,
  runTree,
  treeCellFamily,
  treeCells,
  TreeError,
  treeLayer,
  treeOutputSize,
  treeRnn,
  treeValue,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_NODES,
  type EncodeOptions,
  type FlattenOptions,
  type Forest,
  type IndexedTree,
  type NaryConfig,
  type TokenIds,
  type TreeCellOnnxContext,
  type TreeCellPlugin,
  type TreeCellSizes,
  type TreeInput,
  type TreeJson,
  type TreeLimits,
  type TreeNode,
  type TreeProblem,
  type TreeResult,
  type TreeSource,
} from './tree/index';
export { maskFromLengths, reverseWithinLengths, runRecurrence, type RecurrenceOptions, type RecurrenceResult } from './time-loop';

import { bidirectional } from './bidirectional';
import { dense } from './heads/dense';
import { embedding } from './heads/embedding';
import { outputFeedback } from './output-feedback';
import { recurrent } from './recurrent';
import { sequenceModel } from './sequence-model';
import { seq2seq } from './seq2seq/layer';
import { stacked } from './stacked';
import { treeLayer } from './tree/layer';

/** The sequence layers of this package, for `createRegistry([...cells, ...layers])`. */
export const layers = Object.freeze([recurrent, bidirectional, stacked, sequenceModel, outputFeedback, treeLayer, seq2seq] as const);

/** The heads of this package. */
export const heads = Object.freeze([dense, embedding] as const);
