import type { HostTensor, JsonValue } from '@unfold/core';
import type { Entry, LengthsSource, PermWord } from './values';

/**
 * What evaluating the graph finds, before it becomes an unfold model: every recurrent node (one cell
 * per direction, with its weights split off ONNX's num_directions axis, its initial states and lengths)
 * and every dense head (MatMul / Gemm, then Add and an activation).
 */
export type CellKind = 'rnn' | 'lstm' | 'gru';
export type AxisRole = 'time' | 'batch';

export interface DirectionCell {
  readonly reverse: boolean;
  /** The unfold cell config (inputSize, hiddenSize, bias, and the cell's own options). */
  readonly config: Readonly<Record<string, JsonValue>>;
  /** W [G·H, I], R [G·H, H], B [2·G·H], P [3H]: copies of the file's rows for this direction. */
  readonly weights: Readonly<Record<string, HostTensor>>;
  /** Per state (h, then c for LSTM): the graph input row it starts from, or zeros. */
  readonly initial: readonly (Entry | 'zeros')[];
}

export interface RecurrentRecord {
  readonly index: number;
  /** `model.onnx: node "/rnn/LSTM" (LSTM)`, for errors. */
  readonly label: string;
  readonly op: 'RNN' | 'GRU' | 'LSTM';
  readonly kind: CellKind;
  /** What X's features are: graph input, a head's outputs, or directions of a lower node. */
  readonly input: readonly Entry[];
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** One cell per direction: [forward], [reverse] or [forward, reverse]. */
  readonly directions: readonly DirectionCell[];
  readonly lengths: LengthsSource | undefined;
  /** The batch permutation X is read through (PyTorch's sort by length for packed sequences). */
  readonly batchPerm: PermWord;
  readonly layout: 0 | 1;
}

export type HeadActivation = 'linear' | 'tanh' | 'sigmoid' | 'relu' | 'softmax';

export interface HeadRecord {
  readonly index: number;
  readonly label: string;
  readonly input: readonly Entry[];
  readonly inputSize: number;
  readonly outputSize: number;
  /** [O, I], as unfold's dense (and nn.Linear) store it. */
  readonly W: HostTensor;
  readonly b: HostTensor | undefined;
  readonly activation: HeadActivation;
}

/** An embedding: Gather(table [V, D], token ids) on axis 0, as unfold's `embedding` head (E [V, D]). */
export interface EmbeddingRecord {
  readonly index: number;
  readonly label: string;
  /** The graph input whose token ids it reads. */
  readonly input: string;
  readonly vocabularySize: number;
  readonly embeddingSize: number;
  readonly E: HostTensor;
}

export interface EvalState {
  readonly file: string;
  readonly opset: number;
  /** Roles of axis atoms, learnt from the recurrent nodes that read them. */
  readonly roles: Map<string, AxisRole>;
  readonly recurrent: RecurrentRecord[];
  readonly heads: HeadRecord[];
  readonly embeddings: EmbeddingRecord[];
  /** Counter for fresh symbols (permutations, broadcast axes). */
  symbols: number;
}
