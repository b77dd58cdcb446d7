import { ExportError, hostTensor, int64Constant, type CellOnnxContext, type CellOnnxResult, type HostTensor, type OnnxAttributeValue } from '@unfold/core';

/**
 * Emits ONNX's native RNN, GRU or LSTM node for one cell of this package. The cells store exactly
 * ONNX's layout and gate order, so the weights are copied with a leading num_directions axis of 1:
 * W [1, G·H, I], R [1, G·H, H], B [1, 2·G·H], P [1, 3H]. The node runs with layout 0 (onnxruntime's CPU
 * provider rejects layout 1) and direction forward or reverse; initial states are unsqueezed to
 * [1, B, H], Y [T, 1, B, H] is squeezed to [T, B, H] and Y_h, Y_c to [B, H]. Past a sequence's
 * `sequence_lens`, onnxruntime writes zeros to Y and Y_h/Y_c hold the state at its last real step,
 * which is what the cells' padding mask computes.
 */
export interface NativeRecurrentNode {
  readonly op: 'RNN' | 'GRU' | 'LSTM';
  readonly hiddenSize: number;
  /** ONNX activation names for one direction, e.g. ['Sigmoid', 'Tanh', 'Tanh']. */
  readonly activations: readonly string[];
  /** Further attributes: clip, input_forget, linear_before_reset. */
  readonly attributes?: Readonly<Record<string, OnnxAttributeValue>>;
}

function withDirectionAxis(tensor: HostTensor, name: string): HostTensor {
  return hostTensor([1, ...tensor.shape], tensor.data, `onnx ${name}`);
}

/** Inputs in ONNX order; a missing optional input is '' and trailing missing ones are dropped. */
function nodeInputs(inputs: readonly (string | undefined)[]): string[] {
  const named = inputs.map((name) => name ?? '');
  while (named.length && named[named.length - 1] === '') named.pop();
  return named;
}

export function emitNativeRecurrence<C>(context: CellOnnxContext<C>, node: NativeRecurrentNode): CellOnnxResult {
  const { graph, weights } = context;
  const where = `${node.op} export`;
  const weight = (name: string): string | undefined => {
    const tensor = weights[name];
    return tensor && graph.constant(name, withDirectionAxis(tensor, name));
  };
  const W = weight('W');
  const R = weight('R');
  if (!W || !R) throw new ExportError('the cell has no W or R weight', { where, expected: 'weights W and R in ONNX layout', got: Object.keys(weights).join(', ') || 'none', fix: 'pass the cell’s own weights by local name' });
  const states = node.op === 'LSTM' ? 2 : 1;
  if (context.initialState.length !== states) {
    throw new ExportError('wrong number of initial states', { where, expected: `${states}`, got: `${context.initialState.length}` });
  }
  const axis0 = graph.constant('axis0', int64Constant([0]));
  const axis1 = graph.constant('axis1', int64Constant([1]));
  const initial = context.initialState.map((name) => graph.node('Unsqueeze', [name, axis0], {}, { stem: 'initial_state' })[0] as string);
  const inputs = [context.input, W, R, weight('B'), context.sequenceLens, ...initial, weight('P')];
  const attributes: Record<string, OnnxAttributeValue> = {
    hidden_size: node.hiddenSize,
    direction: context.reverse ? 'reverse' : 'forward',
    activations: node.activations,
    layout: 0,
    ...node.attributes,
  };
  const [Y, ...finals] = graph.node(node.op, nodeInputs(inputs), attributes, { outputs: 1 + states, stem: node.op.toLowerCase() });
  return {
    outputs: graph.node('Squeeze', [Y as string, axis1], {}, { stem: 'outputs' })[0] as string,
    finalState: finals.map((name) => graph.node('Squeeze', [name, axis0], {}, { stem: 'final_state' })[0] as string),
  };
}
