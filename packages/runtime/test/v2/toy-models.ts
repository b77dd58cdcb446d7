import { modelBytes, node, tensor, valueInfo, type Graph } from './onnx-writer';

/**
 * Hand-made v2 models for the runtime and edge tests, with their expected answers computed here:
 *
 * - `shapedStateModel`: features [B, T, 2] with lengths, a state `memory` of shape [2, 3] per sequence.
 *   output[t] = 2·x[t] + Σ(memory ∘ D) at real steps (zeros after), memory' = memory + (Σ_t Σ_i x[t][i])·C,
 *   so the layout of the [2][3] block matters in both directions.
 * - `encoderModel`: features [B, T, 2] → a vector [B, 3] = (Σ_t x[t]) · W.
 * - `twoEntryFiles`: encoder + step (the shaped-state graph) as a multi-entry model with one manifest.
 */
export const C = [
  [1, 2, 3],
  [4, 5, 6],
];
export const D = [
  [0.5, -0.25, 0.125],
  [-1, 0.75, 0.25],
];
export const W = [
  [1, 0, -1],
  [0.5, 2, 0],
];

const FORMAT = 'unfold-onnx/2';

function maskNodes(): { nodes: Uint8Array[]; initializers: Uint8Array[] } {
  return {
    initializers: [tensor('one', 'int64', [], [1]), tensor('zero', 'int64', [], [0]), tensor('ax0', 'int64', [1], [0]), tensor('ax1', 'int64', [1], [1]), tensor('ax2', 'int64', [1], [2])],
    nodes: [
      node('Shape', ['input'], ['shp']),
      node('Gather', ['shp', 'one'], ['T'], [{ name: 'axis', int: 0 }]),
      node('Range', ['zero', 'T', 'one'], ['r']),
      node('Unsqueeze', ['r', 'ax0'], ['rU']),
      node('Cast', ['sequence_lens'], ['len64'], [{ name: 'to', int: 7 }]),
      node('Unsqueeze', ['len64', 'ax1'], ['lenU']),
      node('Less', ['rU', 'lenU'], ['maskB']),
      node('Cast', ['maskB'], ['maskF'], [{ name: 'to', int: 1 }]),
      node('Unsqueeze', ['maskF', 'ax2'], ['mask3']),
      node('Mul', ['input', 'mask3'], ['xm']),
    ],
  };
}

const TENSOR_DOCS = {
  input: { name: 'input', dtype: 'float32', shape: ['batch', 'time', 2], doc: 'input features, batch-first' },
  lengths: { name: 'sequence_lens', dtype: 'int32', shape: ['batch_or_1'], doc: 'real length of each sequence' },
};

function shapedGraph(): Graph {
  const mask = maskNodes();
  return {
    initializers: [...mask.initializers, tensor('axes12', 'int64', [2], [1, 2]), tensor('C', 'float32', [2, 3], C.flat()), tensor('D', 'float32', [2, 3], D.flat()), tensor('two', 'float32', [], [2])],
    nodes: [
      ...mask.nodes,
      node('ReduceSum', ['xm', 'axes12'], ['S'], [{ name: 'keepdims', int: 1 }]),
      node('Mul', ['S', 'C'], ['SC']),
      node('Add', ['state_in.memory', 'SC'], ['state_out.memory']),
      node('Mul', ['state_in.memory', 'D'], ['sD']),
      node('ReduceSum', ['sD', 'axes12'], ['w'], [{ name: 'keepdims', int: 1 }]),
      node('Mul', ['input', 'two'], ['x2']),
      node('Add', ['x2', 'w'], ['y']),
      node('Mul', ['y', 'mask3'], ['output']),
    ],
    inputs: [valueInfo('input', 'float32', ['batch', 'time', 2]), valueInfo('sequence_lens', 'int32', ['batch_or_1']), valueInfo('state_in.memory', 'float32', ['batch_or_1', 2, 3])],
    outputs: [valueInfo('output', 'float32', ['batch', 'time', 2]), valueInfo('state_out.memory', 'float32', ['batch', 2, 3])],
  };
}

/** The v2 interface of the shaped-state graph as entry `entry`. */
export function shapedInterface(entry: string, tasks: readonly string[]): Record<string, unknown> {
  return {
    version: 2,
    entry,
    tasks,
    ports: { inputs: [{ name: 'input', kind: 'features', size: 2, tensor: 'input', lengths: 'sequence_lens' }], outputs: [{ name: 'output', kind: 'features', size: 2, tensor: 'output' }] },
    semantics: { readout: 'sequence', emits: 'features', vocabulary: null, tokenizer: null },
    inputs: [TENSOR_DOCS.input, TENSOR_DOCS.lengths, { name: 'state_in.memory', dtype: 'float32', shape: ['batch_or_1', 2, 3], doc: 'initial memory' }],
    outputs: [
      { name: 'output', dtype: 'float32', shape: ['batch', 'time', 2], doc: 'the output at every step' },
      { name: 'state_out.memory', dtype: 'float32', shape: ['batch', 2, 3], doc: 'final memory' },
    ],
    states: [{ path: 'memory', shape: [2, 3], size: 6, input: 'state_in.memory', output: 'state_out.memory' }],
  };
}

function metadataOf(iface: Record<string, unknown>, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { 'unfold.format': FORMAT, 'unfold.producer': 'hand-made', 'unfold.interface': JSON.stringify(iface), 'unfold.metadata': '{}', ...extra };
}

/** A single-entry v2 file: the shaped-state graph, entry `main`. */
export function shapedStateModel(extra: Readonly<Record<string, string>> = {}): Uint8Array {
  return modelBytes(shapedGraph(), metadataOf(shapedInterface('main', ['predict', 'stream', 'rollout']), extra));
}

function encoderGraph(): Graph {
  const mask = maskNodes();
  return {
    initializers: [...mask.initializers, tensor('W', 'float32', [2, 3], W.flat())],
    nodes: [...mask.nodes, node('ReduceSum', ['xm', 'ax1'], ['pooled'], [{ name: 'keepdims', int: 0 }]), node('MatMul', ['pooled', 'W'], ['vector'])],
    inputs: [valueInfo('input', 'float32', ['batch', 'time', 2]), valueInfo('sequence_lens', 'int32', ['batch_or_1'])],
    outputs: [valueInfo('vector', 'float32', ['batch', 3])],
  };
}

function encoderInterface(): Record<string, unknown> {
  return {
    version: 2,
    entry: 'encoder',
    tasks: ['predict'],
    ports: { inputs: [{ name: 'input', kind: 'features', size: 2, tensor: 'input', lengths: 'sequence_lens' }], outputs: [{ name: 'vector', kind: 'vector', size: 3, tensor: 'vector' }] },
    semantics: { readout: 'last', emits: 'features', vocabulary: null, tokenizer: null },
    inputs: [TENSOR_DOCS.input, TENSOR_DOCS.lengths],
    outputs: [{ name: 'vector', dtype: 'float32', shape: ['batch', 3], doc: 'the encoding of each sequence' }],
    states: [],
  };
}

export const MANIFEST = {
  version: 2,
  entries: [
    { name: 'encoder', file: 'encoder.onnx', tasks: ['predict'] },
    { name: 'step', file: 'step.onnx', tasks: ['predict', 'stream'] },
  ],
  tasks: [{ name: 'generate', entries: ['encoder', 'step'] }],
};

/** The files of the two-entry toy model by file name; `manifest` replaces the one a file carries. */
export function twoEntryFiles(manifests: { readonly encoder?: unknown; readonly step?: unknown } = {}): Record<string, Uint8Array> {
  return {
    'encoder.onnx': modelBytes(encoderGraph(), metadataOf(encoderInterface(), { 'unfold.entries': JSON.stringify(manifests.encoder ?? MANIFEST) })),
    'step.onnx': modelBytes(shapedGraph(), metadataOf(shapedInterface('step', ['predict', 'stream']), { 'unfold.entries': JSON.stringify(manifests.step ?? MANIFEST) })),
  };
}

type Steps = readonly (readonly number[])[];

/** The shaped-state graph in plain numbers: outputs at real steps, and the next memory per sequence. */
export function shapedReference(inputs: readonly Steps[], memory?: readonly (readonly (readonly number[])[])[]): { outputs: number[][][]; state: number[][][] } {
  const outputs: number[][][] = [];
  const state: number[][][] = [];
  inputs.forEach((steps, b) => {
    const m = memory ? (memory[memory.length === 1 ? 0 : b] as number[][]) : C.map((row) => row.map(() => 0));
    const w = m.reduce((sum, row, i) => sum + row.reduce((s, v, j) => s + v * (D[i]?.[j] as number), 0), 0);
    const total = steps.reduce((sum, x) => sum + x.reduce((a, v) => a + v, 0), 0);
    outputs.push(steps.map((x) => x.map((v) => 2 * v + w)));
    state.push(m.map((row, i) => row.map((v, j) => v + total * (C[i]?.[j] as number))));
  });
  return { outputs, state };
}

/** The encoder in plain numbers: one row (Σ_t x[t]) · W per sequence. */
export function encoderReference(inputs: readonly Steps[]): number[][][] {
  return inputs.map((steps) => {
    const pooled = [0, 1].map((i) => steps.reduce((s, x) => s + (x[i] as number), 0));
    return [[0, 1, 2].map((j) => pooled.reduce((s, v, i) => s + v * (W[i]?.[j] as number), 0))];
  });
}
