import { resolveModel, type ModelData, type Registry } from '@unfold/core';
import { stateOf } from '@unfold/architectures';
import { fromUnfoldOutputs, INPUT_NAME, OUTPUT_NAME, SEQUENCE_LENS_NAME, stateInputName, stateOutputName, toUnfoldInputs, type ImportedInterface } from '@unfold/onnx';
import { parseJsonTensor, type JsonTensor } from '../tensor-json';

/**
 * An imported checkpoint keeps the original file's interface in `metadata.onnx`. These two functions
 * translate between it and unfold's own interface (input, sequence_lens, state_in.<path> → output,
 * state_out.<path>), so both engines run an imported model on the original file's inputs.json.
 */
export function importedInterface(model: ModelData): ImportedInterface | undefined {
  return (model.spec.metadata as { onnx?: ImportedInterface } | undefined)?.onnx;
}

function statePaths(registry: Registry, model: ModelData): string[] {
  return stateOf(resolveModel(registry, model.spec)).map((s) => s.name);
}

export function toNativeInputs(registry: Registry, model: ModelData, io: ImportedInterface, inputs: Record<string, unknown>): Record<string, unknown> {
  const feeds = toUnfoldInputs(io, Object.fromEntries(Object.entries(inputs).map(([name, value]) => [name, parseJsonTensor(name, value, io.inputs.find((i) => i.name === name)?.dtype === 'int64' ? 'int64' : io.inputs.find((i) => i.name === name)?.dtype === 'int32' ? 'int32' : 'float32')])));
  const native: Record<string, unknown> = { [INPUT_NAME]: { shape: feeds.x.shape, data: Array.from(feeds.x.data) } };
  if (feeds.lengths) native[SEQUENCE_LENS_NAME] = { dtype: 'int32', shape: [feeds.lengths.length], data: Array.from(feeds.lengths) };
  statePaths(registry, model).forEach((path, i) => {
    const state = feeds.initialState?.[i];
    if (state) native[stateInputName(path)] = { shape: state.shape, data: Array.from(state.data) };
  });
  return native;
}

export function fromNativeOutputs(registry: Registry, model: ModelData, io: ImportedInterface, outputs: Record<string, JsonTensor>): Record<string, JsonTensor> {
  const paths = statePaths(registry, model);
  const float = (t: JsonTensor) => ({ shape: t.shape, data: Float32Array.from(t.data as ArrayLike<number>) });
  const results = { output: float(outputs[OUTPUT_NAME] as JsonTensor), finalState: paths.map((path) => float(outputs[stateOutputName(path)] as JsonTensor)) };
  return Object.fromEntries(Object.entries(fromUnfoldOutputs(io, results, paths)).map(([name, t]) => [name, { dtype: 'float32' as const, shape: t.shape, data: t.data }]));
}
