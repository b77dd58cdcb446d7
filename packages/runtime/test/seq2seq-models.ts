import { attentionScorers, heads, layers } from '@unfold/architectures';
import { cells } from '@unfold/cells/all';
import { createRegistry, type ModelSpec } from '@unfold/core';
import { exportModelEntries } from '@unfold/onnx';
import { createModel, encodeTextPairs, losses, type Model } from '@unfold/training';

/**
 * Seq2seq models for the runtime and edge tests: character tokenizers from a few text pairs, random
 * weights from a seed, three variants (additive attention with input feeding and a two-cell decoder; general
 * attention over a bidirectional GRU encoder with a zeros bridge; no attention, a linear projection bridge), exported as the entries
 * folder's files (encoder.onnx, decoder_step.onnx, greedy.onnx).
 */
const registry = createRegistry([...cells, ...layers, ...heads, ...losses, ...attentionScorers]);
export const SEQ2SEQ_TEXTS = encodeTextPairs(['abcabc', 'hello world', 'seq to seq', 'xyz'], ['cbacba', 'dlrow olleh', 'qes ot qes', 'zyx']);
const SV = SEQ2SEQ_TEXTS.sourceTokenizer.tokens.length;
const TV = SEQ2SEQ_TEXTS.targetTokenizer.tokens.length;

function spec(variant: 'additive' | 'general' | 'none'): ModelSpec {
  const attention: Record<string, ModelSpec> = variant === 'none' ? {} : { attention: { kind: variant, config: { querySize: 7, memorySize: 6, ...(variant === 'additive' ? { attentionSize: 5 } : {}) } } };
  const feeding = variant === 'additive';
  return {
    kind: 'seq2seq',
    config: { bridge: variant === 'general' ? 'zeros' : 'projection', ...(variant === 'none' ? { bridgeActivation: 'linear' } : {}), inputFeeding: feeding, ...(feeding ? { attentionSize: 4 } : {}) },
    children: {
      source: { kind: 'embedding', config: { vocabularySize: SV, embeddingSize: 5 } },
      encoder: variant === 'general' ? { kind: 'bidirectional', config: { merge: 'concat' }, children: { forward: { kind: 'gru', config: { inputSize: 5, hiddenSize: 3 } }, backward: { kind: 'gru', config: { inputSize: 5, hiddenSize: 3 } } } } : { kind: 'lstm', config: { inputSize: 5, hiddenSize: 6 } },
      target: { kind: 'embedding', config: { vocabularySize: TV, embeddingSize: 4 } },
      decoder: feeding ? [{ kind: 'rnn', config: { inputSize: 8, hiddenSize: 6 } }, { kind: 'lstm', config: { inputSize: 6, hiddenSize: 7 } }] : [{ kind: variant === 'general' ? 'gru' : 'lstm', config: { inputSize: 4, hiddenSize: 7 } }],
      ...attention,
      output: { kind: 'dense', config: { inputSize: feeding ? 4 : 7, outputSize: TV } },
    },
    metadata: SEQ2SEQ_TEXTS.metadata,
  };
}

export const SEQ2SEQ_VARIANTS = ['additive', 'general', 'none'] as const;

export interface Seq2seqReference {
  /** unfold's model (the library side of every comparison); dispose it. */
  readonly model: Model;
  /** The exported folder's files by file name. */
  readonly files: Readonly<Record<string, Uint8Array>>;
}

export function seq2seqReference(variant: (typeof SEQ2SEQ_VARIANTS)[number], seed: number): Seq2seqReference {
  const model = createModel(registry, spec(variant), { seed });
  const exported = exportModelEntries(registry, model.toModelData());
  return { model, files: Object.fromEntries(exported.entries.map((e) => [e.file, e.bytes])) };
}
