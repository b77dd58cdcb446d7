import { checkWeights, resolveModel, type JsonValue, type ModelSpec, type Registry, type WeightMap } from '@unfold/core';
import { decodeModel } from '../model-proto';
import { assembleModel } from './assemble';
import { importError } from './errors';
import { evaluateGraph } from './evaluate';
import { describeInterface, type ImportedInput, type ImportedInterface, type ImportedOutput } from './io-mapping';
import { opsetOf } from './read-graph';
import { assembleSeq2seq, isSeq2seq } from './seq2seq-assemble';

export interface ImportOptions {
  /** Names the file in errors (default `onnx model`). */
  readonly where?: string;
  /** When given, the imported spec is resolved and the weights checked against it (typed errors if not). */
  readonly registry?: Registry;
}

export interface ImportedModel {
  /** The unfold model; `metadata.onnx` holds the interface below. */
  readonly spec: ModelSpec;
  /** Copies of the file's weights by unfold parameter path (`layers.0.forward.W`). */
  readonly weights: WeightMap;
  /** How the model's inputs and outputs relate to the file's (also at `spec.metadata.onnx`). */
  readonly interface: ImportedInterface;
  readonly inputs: readonly ImportedInput[];
  readonly outputs: readonly ImportedOutput[];
  /** The unfold state paths in the model's state order. */
  readonly states: readonly string[];
  /** Op types in the file and how many nodes of each. */
  readonly ops: Readonly<Record<string, number>>;
  readonly opset: number;
}

/**
 * The evaluation, with the engine's own limits (an array length or a call stack a crafted graph exceeds)
 * reported as a typed error like every other: the importer's bounds (MAX_STATIC_ELEMENTS) catch the known
 * shapes first, and this is the backstop for any other.
 */
function evaluateWithin(model: Parameters<typeof evaluateGraph>[0], where: string): ReturnType<typeof evaluateGraph> {
  try {
    return evaluateGraph(model, where);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw importError('the graph cannot be evaluated within the importer’s limits', { where, expected: 'glue that computes shapes, zero states and index vectors', got: error.message.slice(0, 120), fix: 'import only the recurrent part of the model' }, error);
  }
}

/**
 * Reads an ONNX model whose recurrent nodes are RNN, GRU or LSTM into an unfold model: recurrent /
 * bidirectional / stacked layers of rnn, lstm and gru cells, with a dense head as a sequence-model.
 *
 * The graph is evaluated, not matched: every node is computed on abstract values (symbolic shapes,
 * folded constants, data layouts, lengths and batch permutations), so the glue PyTorch 1.13 emits at
 * opsets 14–17 (Shape/Gather/Concat/ConstantOfShape zero states, Transpose/Reshape direction merges,
 * Slice of h0 per layer, Squeeze, Cast, Expand, the TopK/ScatterElements sort of packed sequences) and
 * unfold's own export are read the same way. Weights are copies (ONNX's layout is unfold's).
 *
 * An encoder–decoder (token ids through nn.Embedding, a decoder whose initial states are a tanh(Linear)
 * bridge over the encoder's final states, or those states themselves, and a vocabulary head) becomes a
 * `seq2seq` layer (seq2seq-assemble.ts): the source input is its `x`, the teacher-forced decoder inputs
 * its `target` port.
 *
 * Errors are SerializationErrors naming the file, node and attribute: a file that is not ONNX, ops
 * outside the supported set (all of them listed), and anything unfold cannot compute exactly.
 */
export function importOnnx(bytes: Uint8Array, options: ImportOptions = {}): ImportedModel {
  const where = options.where ?? 'onnx model';
  const model = decodeModel(bytes, where);
  const opset = opsetOf(model);
  if (opset < 7) throw importError('no usable ONNX opset', { where, expected: 'an import of the default ONNX domain, opset 7 or later (14–17 tested)', got: model.opsetImport.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ') || 'no opset imports', fix: 'check the file is a complete .onnx file' });
  const evaluation = evaluateWithin(model, where);
  const assembled = isSeq2seq(evaluation.state) ? assembleSeq2seq(evaluation.state) : assembleModel(evaluation.state, evaluation.outputs.map((o) => o.value));
  const io = describeInterface(evaluation, assembled, `${model.producerName || 'unknown'} ${model.producerVersion}`.trim());
  const spec: ModelSpec = { ...assembled.spec, metadata: { onnx: io as unknown as JsonValue } };
  if (options.registry) checkWeights(resolveModel(options.registry, spec), assembled.weights, `${where}: imported weights`);
  return { spec, weights: assembled.weights, interface: io, inputs: io.inputs, outputs: io.outputs, states: assembled.states.map((s) => s.path), ops: evaluation.ops, opset };
}
