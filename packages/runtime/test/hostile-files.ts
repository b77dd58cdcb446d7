import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, StringStringEntryProtoSchema, type ModelProto } from 'onnx-buf';
import { deepArray, deepSpec } from '../../core/test/hostile-checkpoints';

/**
 * Crafted ONNX files from the adversarial audit (issue 15, items 2, 4 and 9), made from a valid export:
 * each changes one thing a loader must check before onnxruntime sees the file. Shared by the runtime's
 * load tests and the CLI's hostile-file suite (which runs them through `unfold` as a child process).
 */
function edit(bytes: Uint8Array, change: (model: ModelProto) => void): Uint8Array {
  const model = fromBinary(ModelProtoSchema, bytes);
  change(model);
  return toBinary(ModelProtoSchema, model);
}

function setMetadata(model: ModelProto, key: string, value: string): void {
  const entry = model.metadataProps.find((p) => p.key === key);
  if (entry) entry.value = value;
  else model.metadataProps.push(create(StringStringEntryProtoSchema, { key, value }));
}

function metadataOf(model: ModelProto, key: string): string {
  const value = model.metadataProps.find((p) => p.key === key)?.value;
  if (value === undefined) throw new Error(`the export has no ${key}`);
  return value;
}

export const HOSTILE_ONNX = {
  /** Item 2: the first int64 initializer's dims become [2⁴⁰] while its data stays 8 bytes. */
  falseInitializerDims: (bytes: Uint8Array) =>
    edit(bytes, (model) => {
      const tensor = model.graph?.initializer.find((t) => t.dataType === 7);
      if (!tensor) throw new Error('the export has no int64 initializer');
      tensor.dims = [2n ** 40n];
    }),
  /** Item 2, typed-field flavour: a float initializer's dims doubled, its data unchanged. */
  initializerDataShort: (bytes: Uint8Array) =>
    edit(bytes, (model) => {
      const tensor = model.graph?.initializer.find((t) => t.dataType === 1 && t.dims.length > 0);
      if (!tensor) throw new Error('the export has no float initializer');
      tensor.dims = [...tensor.dims.slice(0, -1), (tensor.dims[tensor.dims.length - 1] as bigint) * 2n];
    }),
  /** Item 4: `unfold.spec` nesting children 100,000 deep. */
  deepSpec: (bytes: Uint8Array) =>
    edit(bytes, (model) => {
      setMetadata(model, 'unfold.spec', deepSpec(100_000, '{"kind":"x"}'));
    }),
  /** Item 4: `unfold.metadata` holding an array nested 300,000 deep. */
  deepMetadata: (bytes: Uint8Array) => edit(bytes, (model) => setMetadata(model, 'unfold.metadata', `{"deep":${deepArray(300_000)}}`)),
  /** Item 9: the first state's declared size (and shape) 1e8 in the interface; the graph says otherwise. */
  hugeStateSize: (bytes: Uint8Array) =>
    edit(bytes, (model) => {
      const iface = JSON.parse(metadataOf(model, 'unfold.interface')) as { version: number; states: { size: number; shape?: number[] }[] };
      const state = iface.states[0];
      if (!state) throw new Error('the export has no state');
      state.size = 1e8;
      if (iface.version === 2) state.shape = [1e8];
      setMetadata(model, 'unfold.interface', JSON.stringify(iface));
    }),
  /** Item 9: the graph input's last dim 2⁶² (no tensor can have it). */
  hugeInputDim: (bytes: Uint8Array) =>
    edit(bytes, (model) => {
      const input = model.graph?.input[0];
      const type = input?.type?.value;
      const dims = type?.case === 'tensorType' ? type.value.shape?.dim : undefined;
      const last = dims?.[dims.length - 1];
      if (!last) throw new Error('the export’s first input has no shape');
      last.value = { case: 'dimValue', value: 2n ** 62n };
    }),
} as const;

export type HostileOnnx = keyof typeof HOSTILE_ONNX;

/** What loading each file must say (E_MODEL): the same on every engine the runtime serves from. */
export const HOSTILE_MESSAGES: Readonly<Record<HostileOnnx, RegExp>> = {
  falseInitializerDims: /the tensors declare more data than a model may hold; .*got dims \[1099511627776\]/,
  initializerDataShort: /a tensor’s data does not match its dims/,
  deepSpec: /metadata unfold\.spec is nested too deeply/,
  deepMetadata: /metadata unfold\.metadata is nested too deeply/,
  hugeStateSize: /declared (size beyond what the runtime serves|state shape differs from the graph)/,
  hugeInputDim: /a graph dimension is out of range/,
};
