import * as tf from '@tensorflow/tfjs-core';
import { setupBackend, type ModelData, type Registry } from '@unfold/core';
import { FULL_LENGTH, INPUT_NAME, OUTPUT_NAME, SEQUENCE_LENS_NAME, stateInputName, stateOutputName } from '@unfold/onnx';
import { stateOf } from '@unfold/architectures';
import { createModel } from '@unfold/training';
import { parseJsonTensor, type JsonTensor } from '../tensor-json';
import { UsageError } from '../usage-error';

interface Feeds {
  readonly x: tf.Tensor;
  readonly lengths?: Int32Array;
  readonly initialState?: readonly tf.Tensor2D[];
}

/** Repeats a [1, ...] row to the batch, or checks the batch matches. */
function rows(name: string, tensor: JsonTensor, batch: number): JsonTensor['data'] {
  const first = tensor.shape[0] as number;
  if (first === batch) return tensor.data;
  if (first !== 1) throw new UsageError(`${name} has ${first} rows for a batch of ${batch}`, `give ${name} one row per sequence, or a single row for all`);
  const row = tensor.data.length;
  const out = new Float32Array(row * batch);
  for (let b = 0; b < batch; b++) out.set(Array.from(tensor.data as ArrayLike<number | bigint>, Number), b * row);
  return out;
}

/** Feeds under unfold's export interface names: input, sequence_lens, state_in.<path>. */
function nativeFeeds(model: ReturnType<typeof createModel>, inputs: Record<string, unknown>): { feeds: Feeds; statePaths: string[] } {
  const statePaths = stateOf(model.root).map((s) => s.name);
  const known = [INPUT_NAME, SEQUENCE_LENS_NAME, ...statePaths.map(stateInputName)];
  const unknown = Object.keys(inputs).filter((name) => !known.includes(name));
  if (unknown.length) throw new UsageError(`inputs.json names unknown input ${JSON.stringify(unknown[0])}`, `the model takes ${known.join(', ')}`);
  if (!(INPUT_NAME in inputs)) throw new UsageError(`inputs.json has no ${JSON.stringify(INPUT_NAME)}`, `give "${INPUT_NAME}" as [batch, time, features]`);
  const x = parseJsonTensor(INPUT_NAME, inputs[INPUT_NAME], model.input.kind === 'tokens' ? 'int32' : 'float32');
  const [batch = 0, time = 0] = x.shape;
  let lengths: Int32Array | undefined;
  if (SEQUENCE_LENS_NAME in inputs) {
    const given = Array.from(rows(SEQUENCE_LENS_NAME, parseJsonTensor(SEQUENCE_LENS_NAME, inputs[SEQUENCE_LENS_NAME], 'int32'), batch) as ArrayLike<number | bigint>, Number);
    lengths = Int32Array.from(given, (l) => Math.max(0, Math.min(time, l === FULL_LENGTH ? time : l)));
  }
  const sizes = stateOf(model.root);
  const states = statePaths.map((path, i) => {
    const name = stateInputName(path);
    const size = sizes[i]?.size ?? 0;
    if (!(name in inputs)) return tf.zeros([batch, size]) as tf.Tensor2D;
    return tf.tensor2d(Float32Array.from(rows(name, parseJsonTensor(name, inputs[name]), batch) as ArrayLike<number>), [batch, size]);
  });
  const xTensor = x.dtype === 'float32' ? tf.tensor(x.data as Float32Array, [...x.shape]) : tf.tensor(Int32Array.from(x.data as ArrayLike<number>), [...x.shape], 'int32');
  return { feeds: { x: xTensor, ...(lengths ? { lengths } : {}), initialState: states }, statePaths };
}

/** Runs a model through unfold's own forward pass (tfjs) on inputs under unfold's interface names. */
export async function runWithUnfold(registry: Registry, data: ModelData, inputs: Record<string, unknown>): Promise<Record<string, JsonTensor>> {
  await setupBackend();
  const model = createModel(registry, data.spec, { weights: data.weights });
  try {
    const { feeds, statePaths } = nativeFeeds(model, inputs);
    try {
      const named: Record<string, JsonTensor> = {};
      tf.tidy(() => {
        const out = model.forward(feeds.x, { ...(feeds.lengths ? { lengths: feeds.lengths } : {}), ...(feeds.initialState ? { initialState: feeds.initialState } : {}) });
        named[OUTPUT_NAME] = { dtype: 'float32', shape: out.outputs.shape, data: out.outputs.dataSync() as Float32Array };
        out.finalState.forEach((s, i) => (named[stateOutputName(statePaths[i] as string)] = { dtype: 'float32', shape: s.shape, data: s.dataSync() as Float32Array }));
      });
      return named;
    } finally {
      tf.dispose([feeds.x, ...(feeds.initialState ?? [])]);
    }
  } finally {
    model.dispose();
  }
}
