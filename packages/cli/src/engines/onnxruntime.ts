import { FULL_LENGTH, METADATA_KEYS, readOnnxModel, SEQUENCE_LENS_NAME, stateInputName } from '@unfold/onnx';
import type { JsonDtype, JsonTensor } from '../tensor-json';
import { parseJsonTensor } from '../tensor-json';
import { UsageError } from '../usage-error';

/**
 * For a file unfold exported, the inputs a caller may leave out, as unfold's forward pass treats them:
 * `sequence_lens` as one FULL_LENGTH row (every sequence full length) and each `state_in.*` as a zeros row.
 */
function unfoldDefaults(summary: ReturnType<typeof readOnnxModel>): Record<string, unknown> {
  if (summary.metadata[METADATA_KEYS.format] === undefined) return {};
  const defaults: Record<string, unknown> = {};
  for (const input of summary.inputs) {
    if (input.name === SEQUENCE_LENS_NAME) defaults[input.name] = { dtype: 'int32', shape: [1], data: [FULL_LENGTH] };
    else if (input.name.startsWith(stateInputName(''))) {
      const size = Number(input.shape?.[1]);
      defaults[input.name] = { shape: [1, size], data: new Array(size).fill(0) };
    }
  }
  return defaults;
}

/** Runs an ONNX file once in onnxruntime-node (CPU, one thread) with feeds parsed against its input types. */
export async function runWithOnnxruntime(bytes: Uint8Array, inputs: Record<string, unknown>, path: string): Promise<Record<string, JsonTensor>> {
  const summary = readOnnxModel(bytes, path);
  const expected = new Map(summary.inputs.filter((i) => !summary.initializers.some((t) => t.name === i.name)).map((i) => [i.name, i.dtype]));
  const unknown = Object.keys(inputs).filter((name) => !expected.has(name));
  if (unknown.length) throw new UsageError(`inputs.json names unknown input ${JSON.stringify(unknown[0])}`, `the model takes ${[...expected.keys()].join(', ')}`);
  const defaults = unfoldDefaults(summary);
  const missing = [...expected.keys()].filter((name) => !(name in inputs) && !(name in defaults));
  if (missing.length) throw new UsageError(`inputs.json has no ${JSON.stringify(missing[0])}`, `the model takes ${[...expected.keys()].join(', ')}; give every input`);
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
    for (const [name, dtype] of expected) {
      const tensor = parseJsonTensor(name, inputs[name] ?? defaults[name], (['float32', 'int32', 'int64'].includes(dtype) ? dtype : 'float32') as JsonDtype);
      feeds[name] = new ort.Tensor(tensor.dtype, tensor.data, [...tensor.shape]);
    }
    const results = await session.run(feeds);
    return Object.fromEntries(
      Object.entries(results).map(([name, value]) => [name, { dtype: value.type as JsonDtype, shape: [...value.dims], data: value.data as JsonTensor['data'] }]),
    );
  } finally {
    await session.release();
  }
}
