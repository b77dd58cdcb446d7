// The encoder–decoder (seq2seq) part of @unfold/architectures; re-exported by the package index.
//
//   attention.ts, onnx-attention.ts  the `attention` family (role component): dot, general, additive scorers
//   parts.ts                         the layer's children and sizes, and their cross-checks
//   decoder.ts                       encode, bridge, attend, the decoder step, teacher-forced / scheduled decoding
//   layer.ts                         the `seq2seq` layer (equations in its doc comment)
//   decode.ts                        greedy, beam and sampled decoding in tfjs over @unfold/core/decoding
//   onnx-entries.ts                  the export: `encoder` and `decoder_step` entries, the `generate` task
export { additiveAttention, attentionFamily, attentionScorers, dotAttention, generalAttention, type AdditiveConfig, type AttentionOnnx, type AttentionOnnxContext, type AttentionPlugin, type DotConfig } from './attention';
export { decodeSources, tfjsDecoder } from './decode';
export { attend, bridge, decodeSequence, decoderStep, encode, shiftRight, type Attended, type Decoded, type DecoderState, type Encoded, type Memory, type StepResult } from './decoder';
export { runSeq2seq, seq2seq } from './layer';
export { DECODER_STEP_ENTRY, ENCODER_ENTRY, GENERATE_TASK, GREEDY_ENTRY, initialStateName, seq2seqExports } from './onnx-entries';
export { cellStateCount, checkParts, decoderStates, partsOf, sizesOf, type Seq2seqConfig, type Seq2seqParts, type Seq2seqSizes } from './parts';
