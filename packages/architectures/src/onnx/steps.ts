import { int32Constant, int64Constant, ONNX_FLOAT, ONNX_INT64, type OnnxGraphBuilder } from '@unfold/core';

/**
 * The output at each sequence's last real step, as `lastStep` computes it: time-major outputs [T, B, H]
 * and lengths int32 [B] (already clipped to [0, T]) to [1, B, H]. A zero step is put in front, so index
 * `length` picks step length − 1, and an empty sequence (or T = 0) picks the zeros.
 */
export function lastStepOnnx(graph: OnnxGraphBuilder, outputs: string, sequenceLens: string): string {
  const [shape] = graph.node('Shape', [outputs], {}, { stem: 'outputs_shape' }) as [string];
  const [batchAndSize] = graph.node('Slice', [shape, graph.constant('from_batch', int64Constant([1])), graph.constant('to_end', int64Constant([3]))], {}, { stem: 'batch_and_size' }) as [string];
  const [oneStep] = graph.node('Concat', [graph.constant('one_step', int64Constant([1])), batchAndSize], { axis: 0 }, { stem: 'last_shape' }) as [string]; // [1, B, H]
  const [zeroStep] = graph.node('ConstantOfShape', [oneStep], {}, { stem: 'zero_step' }) as [string];
  const [withZero] = graph.node('Concat', [zeroStep, outputs], { axis: 0 }, { stem: 'outputs_after_zero' }) as [string]; // [T + 1, B, H]
  const [column] = graph.node('Reshape', [sequenceLens, graph.constant('column_shape', int64Constant([1, -1, 1]))], {}, { stem: 'last_index_column' }) as [string]; // [1, B, 1]
  const [index] = graph.node('Expand', [column, oneStep], {}, { stem: 'last_index_expanded' }) as [string];
  return graph.node('GatherElements', [withZero, index], { axis: 0 }, { stem: 'last_output' })[0] as string;
}

/** Last-step values [1, B, F] times 0 for an empty sequence (as `lastStep` and a head over it give). */
export function zeroEmptyOnnx(graph: OnnxGraphBuilder, values: string, sequenceLens: string): string {
  const [nonEmpty] = graph.node('Greater', [sequenceLens, graph.constant('zero_length', int32Constant([0]))], {}, { stem: 'non_empty' }) as [string];
  const [nonEmptyFloat] = graph.node('Cast', [nonEmpty], { to: ONNX_FLOAT }, { stem: 'non_empty_float' }) as [string];
  const [scale] = graph.node('Reshape', [nonEmptyFloat, graph.constant('scale_shape', int64Constant([1, -1, 1]))], {}, { stem: 'non_empty_column' }) as [string];
  return graph.node('Mul', [values, scale], {}, { stem: 'last' })[0] as string;
}

/** Zeros at padded steps of time-major values [T, B, F] (steps t >= length), the values elsewhere, exactly. */
export function zeroPaddingOnnx(graph: OnnxGraphBuilder, values: string, sequenceLens: string): string {
  const [shape] = graph.node('Shape', [values], {}, { stem: 'values_shape' }) as [string];
  const [time] = graph.node('Gather', [shape, graph.constant('time_axis', int64Constant([0], []))], { axis: 0 }, { stem: 'time' }) as [string]; // scalar
  const [steps] = graph.node('Range', [graph.constant('start', int64Constant([0], [])), time, graph.constant('delta', int64Constant([1], []))], {}, { stem: 'steps' }) as [string]; // [T]
  const [stepColumn] = graph.node('Unsqueeze', [steps, graph.constant('axis_1', int64Constant([1]))], {}, { stem: 'step_column' }) as [string]; // [T, 1]
  const [lengths] = graph.node('Cast', [sequenceLens], { to: ONNX_INT64 }, { stem: 'lengths_int64' }) as [string];
  const [real] = graph.node('Less', [stepColumn, lengths], {}, { stem: 'real_steps' }) as [string]; // [T, B]
  const [realColumn] = graph.node('Unsqueeze', [real, graph.constant('axis_2', int64Constant([2]))], {}, { stem: 'real_column' }) as [string]; // [T, B, 1]
  return graph.node('Where', [realColumn, values, graph.constant('zero_value', { shape: [], data: new Float32Array(1) })], {}, { stem: 'padded_zeros' })[0] as string;
}
