import type { LayerOnnxMapping, ResolvedNode } from '@unfold/core';
import { lastStepOnnx, zeroEmptyOnnx, zeroPaddingOnnx } from './steps';

/**
 * `sequence-model` as ONNX: the input head's mapping (an embedding reads the int32 ids), the body's, then
 * for readout `sequence` the output head at every step with padded steps set to 0, or for readout `last`
 * the body output at each sequence's last real step ([1, B, H]) through the output head (0 for an empty
 * sequence, which has no last step).
 */
export const sequenceModelOnnx: LayerOnnxMapping<{ readonly readout: 'sequence' | 'last' }> = (context) => {
  const children = context.node.children;
  const inputHead = children.input as ResolvedNode | undefined;
  const outputHead = children.output as ResolvedNode | undefined;
  const x = inputHead ? context.head(inputHead, context.input) : context.input;
  const body = context.sequence(children.body as ResolvedNode, { input: x, initialState: context.initialState });
  if (context.node.config.readout === 'last') {
    const last = lastStepOnnx(context.graph, body.outputs, context.sequenceLens);
    const outputs = outputHead ? zeroEmptyOnnx(context.graph, context.head(outputHead, last), context.sequenceLens) : last;
    return { outputs, finalState: body.finalState, readout: 'last' };
  }
  if (!outputHead) return body;
  return { outputs: zeroPaddingOnnx(context.graph, context.head(outputHead, body.outputs), context.sequenceLens), finalState: body.finalState };
};
