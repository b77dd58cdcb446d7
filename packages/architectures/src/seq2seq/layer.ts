/**
 * `seq2seq`: an encoder–decoder with optional attention (Sutskever et al. 2014; Bahdanau et al. 2015;
 * Luong et al. 2015; Goodfellow et al. 10.4).
 *
 * Legend: B batch, S source steps, T target steps, E encoder output size, D target embedding size,
 * Q top decoder cell output size, A attentional size (config `attentionSize`, default Q), V target vocabulary.
 *
 *   m = encoder(source(x))              [B, S, E]; final states s¹…sᴷ        (any cell or layer)
 *   d₀ = bridge(s¹…sᴷ)                  projection: tanh(W_b [s¹; …; sᴷ] + b_b) (or linear); copy; or zeros
 *   uₜ = E_y(yₜ₋₁)  or  [E_y(yₜ₋₁); h̃ₜ₋₁] with input feeding (h̃₀ = 0)        y₀ = <bos>
 *   hₜ, dₜ = decoder(uₜ, dₜ₋₁)          a stack of any cells, bottom first
 *   aₜ = softmax_s(score(hₜ, m) masked)  [B, S]  (attention.ts: dot, general, additive)
 *   cₜ = Σ_s aₜ,ₛ mₛ;  h̃ₜ = tanh(W_c [cₜ; hₜ] + b_c)                         [B, A]
 *   zₜ = output(h̃ₜ)  (or output(hₜ) without attention)                      [B, V] logits of yₜ
 *
 * Parameters of the layer itself: `bridgeW` [Σ|d|, Σ|s|] and `bridgeB` (projection bridge), `combineW`
 * [A, E + Q] and `combineB` [A] (with attention); layouts as nn.Linear. Initialisation U(−1/√in, 1/√in).
 *
 * Ports: in `source` (the primary input: token ids [B, S] with a source embedding, or features
 * [B, S, I]; with lengths) and `target` (the decoder inputs, int32 [B, T]: <bos> y₁ … yₙ₋₁ under teacher
 * forcing, with lengths); out `output`, the logits [B, T, V], zero at padded target steps. The decoder
 * input policy of the context (teacher forcing, free running, scheduled sampling) decides what each step
 * reads (decoder.ts). The layer carries no state across calls; decoding (decode.ts) carries the decoder's.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { defineConfig, defineLayer, DECODER_INPUT_PORT, field, formatShape, ShapeError, stateOf, uniform, type BoundNode, type ForwardContext, type ParamSpec, type PortValue, type ResolvedNode } from '@unfold/core';
import { ARCHITECTURES_META } from '../meta';
import { decodeSequence, encode, type Decoded } from './decoder';
import { seq2seqExports } from './onnx-entries';
import { checkParts, partsOf, sizesOf, type Seq2seqConfig } from './parts';

export const seq2seq = defineLayer({
  kind: 'seq2seq',
  meta: ARCHITECTURES_META,
  schemaVersion: 1,
  summary: 'encoder–decoder with optional attention over the encoder outputs',
  config: defineConfig({
    bridge: field.oneOf(['projection', 'copy', 'zeros'] as const, { doc: 'the decoder’s initial state from the encoder’s final states: a learned tanh projection, a copy (same sizes), or zeros', default: 'projection' }),
    bridgeActivation: field.oneOf(['tanh', 'linear'] as const, { doc: 'the projection bridge’s activation: tanh(W s + b) (Bahdanau et al.) or W s + b (a plain nn.Linear, as some PyTorch models have)', default: 'tanh' }),
    inputFeeding: field.boolean({ doc: 'feed the previous attentional vector h̃ₜ₋₁ into the decoder with the token (Luong et al. 2015); needs attention', default: false }),
    attentionSize: field.optional(field.int({ doc: 'size A of the attentional vector h̃ (default: the top decoder cell’s output size)', min: 1 })),
    maxDecodeLength: field.int({ doc: 'the exported single-file greedy decoder’s limit: at most this many tokens (its Loop’s trip count)', min: 1, max: 4096, default: 100 }),
  }),
  children: () => [
    { name: 'source', families: ['head'], list: false, optional: true },
    { name: 'encoder', families: ['cell', 'layer'], list: false },
    { name: 'target', families: ['head'], list: false },
    { name: 'decoder', families: ['cell'], list: true },
    { name: 'attention', families: ['attention'], list: false, optional: true },
    { name: 'output', families: ['head'], list: false },
  ],
  checkChildren: checkParts,
  inputSize: (node) => sizesOf(node).sourceVocabulary,
  inputKind: (node) => (partsOf(node).source?.plugin.inputKind === 'tokens' ? 'tokens' : 'features'),
  outputSize: (node) => sizesOf(node).targetVocabulary,
  inputs: (node) => {
    const sizes = sizesOf(node);
    const tokens = partsOf(node).source?.plugin.inputKind === 'tokens';
    return [
      { name: 'source', kind: tokens ? 'tokens' : 'features', size: sizes.sourceVocabulary, doc: 'the source sequence' },
      { name: DECODER_INPUT_PORT, kind: 'tokens', size: sizes.targetVocabulary, doc: 'the decoder inputs: <bos> and the target shifted right' },
    ];
  },
  outputs: (node) => [{ name: 'output', kind: 'features', size: sizesOf(node).targetVocabulary, doc: 'logits of each target token' }],
  state: () => [],
  semantics: () => ({ readout: 'sequence', emits: 'logits', vocabulary: null }),
  parameters(node) {
    const config = node.config as Seq2seqConfig;
    const { encoder, decoder, attention } = partsOf(node);
    const params: ParamSpec[] = [];
    if (config.bridge === 'projection') {
      const from = stateOf(encoder).reduce((n, s) => n + s.size, 0);
      const to = decoder.flatMap((cell) => stateOf(cell)).reduce((n, s) => n + s.size, 0);
      const k = 1 / Math.sqrt(from);
      params.push({ name: 'bridgeW', shape: [to, from], init: uniform(-k, k), doc: 'bridge weights [Σ decoder state sizes, Σ encoder state sizes]' });
      params.push({ name: 'bridgeB', shape: [to], init: uniform(-k, k), doc: 'bridge bias' });
    }
    if (attention) {
      const sizes = sizesOf(node);
      const k = 1 / Math.sqrt(sizes.memory + sizes.query);
      params.push({ name: 'combineW', shape: [sizes.attentional, sizes.memory + sizes.query], init: uniform(-k, k), doc: 'attentional vector weights [A, E + Q] (columns: context, then h)' });
      params.push({ name: 'combineB', shape: [sizes.attentional], init: uniform(-k, k), doc: 'attentional vector bias [A]' });
    }
    return params;
  },
  forward(bound, input, context) {
    const target = input.ports?.[DECODER_INPUT_PORT];
    if (!target) {
      throw new ShapeError('a seq2seq model needs the decoder inputs', { where: bound.node.path || 'seq2seq', expected: `ports.${DECODER_INPUT_PORT}: { x: int32 [B, T] (<bos> and the target shifted right), lengths }`, got: 'no target port', fix: 'to translate, use the decoding functions (greedy, beam, sample); to score or train, pass the decoder inputs' });
    }
    const decoded = runSeq2seq(bound, input.x, input.lengths, target, context);
    return { outputs: decoded.logits, finalState: [] };
  },
  exports: seq2seqExports,
});

/** Checks the decoder inputs against the batch and the target vocabulary. */
function checkTarget(node: ResolvedNode, target: PortValue, batch: number): void {
  const where = `${node.path || 'seq2seq'}: ports.${DECODER_INPUT_PORT}`;
  const { x, lengths } = target;
  if (x.rank !== 2 || x.dtype !== 'int32' || x.shape[0] !== batch) {
    throw new ShapeError('decoder inputs have the wrong shape or dtype', { where, expected: `[${batch}, T] int32 token ids (one row per source)`, got: `${formatShape(x.shape)} ${x.dtype}` });
  }
  const steps = x.shape[1] as number;
  if (lengths && (lengths.length !== batch || lengths.some((length) => !(length >= 0 && length <= steps)))) {
    throw new ShapeError('decoder input lengths are wrong', { where, expected: `${batch} lengths in [0, ${steps}]`, got: `[${Array.from(lengths).join(', ')}]` });
  }
}

/** The whole model on a batch: encode, then decode the given decoder inputs under the context's policy (with the attention weights). */
export function runSeq2seq(bound: BoundNode, source: Tensor, sourceLengths: Int32Array | undefined, target: PortValue, context: ForwardContext): Decoded {
  checkTarget(bound.node, target, source.shape[0] ?? 0);
  const encoded = encode(bound, source, sourceLengths, context);
  return decodeSequence(bound, encoded.memory, encoded.state, target.x, target.lengths, context);
}
