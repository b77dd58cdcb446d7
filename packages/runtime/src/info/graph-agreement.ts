import type { EntryInterface, InterfacePort } from '@unfold/core/interface';
import type { GraphValue, ModelInfo } from '../proto/model-info';
import { badMetadata } from './metadata-json';

/**
 * unfold's metadata checked against the graph it describes, at load: every value the interface names is
 * in the graph (inputs as inputs, outputs as outputs), and every size it declares agrees with the graph's
 * fixed dims — a port's feature or output size with the tensor's last dim, a state's shape with the dims
 * after the batch. A file whose metadata was edited (a state of 1e8, a feature size the graph does not
 * have) is E_MODEL when it loads, instead of a model whose every call fails inside onnxruntime. Sizes
 * the graph leaves symbolic are bounded by MAX_DECLARED_SIZE.
 */
export const MAX_DECLARED_SIZE = 1 << 24;

function sizeError(where: string, what: string, got: string): never {
  throw badMetadata(where, what, got);
}

function checkBounded(size: number, where: string): void {
  if (size > MAX_DECLARED_SIZE) sizeError(where, 'a declared size beyond what the runtime serves', `${size} (at most ${MAX_DECLARED_SIZE})`);
}

/** The port's size against the last dim of its tensor, for kinds whose tensor ends in that size. */
function checkPort(port: InterfacePort, value: GraphValue | undefined, where: string): void {
  checkBounded(port.size, where);
  if (!value?.shape || (port.kind !== 'features' && port.kind !== 'vector')) return;
  const last = value.shape[value.shape.length - 1];
  if (typeof last === 'number' && last !== port.size) sizeError(where, 'the declared size differs from the graph', `size ${port.size} for a graph tensor ${value.name} of last dim ${last}`);
}

/** A state's shape against the graph's [batch, ...shape] for its input and output. */
function checkState(shape: readonly number[], size: number, value: GraphValue | undefined, where: string): void {
  checkBounded(size, where);
  if (!value?.shape) return;
  const dims = value.shape.slice(1);
  const differs = dims.length !== shape.length || dims.some((d, i) => typeof d === 'number' && d !== shape[i]);
  if (differs) sizeError(where, 'the declared state shape differs from the graph', `shape [${shape.join(', ')}] for a graph tensor ${value.name} of shape [${value.shape.map((d) => d ?? '?').join(', ')}]`);
}

export function checkAgainstGraph(iface: EntryInterface, graph: ModelInfo, where: string): void {
  const inputs = new Map(graph.inputs.map((v) => [v.name, v]));
  const outputs = new Map(graph.outputs.map((v) => [v.name, v]));
  const expectedInputs = [...iface.ports.inputs.flatMap((p) => [p.tensor, ...(p.lengths ? [p.lengths] : [])]), ...iface.states.flatMap((s) => (s.input ? [s.input] : []))];
  const expectedOutputs = [...iface.ports.outputs.map((p) => p.tensor), ...iface.states.map((s) => s.output)];
  const missing = [...expectedInputs.filter((n) => !inputs.has(n)), ...expectedOutputs.filter((n) => !outputs.has(n))];
  if (missing.length > 0) throw badMetadata(where, 'the interface names values the graph does not have', missing.join(', '));
  iface.ports.inputs.forEach((p, i) => checkPort(p, inputs.get(p.tensor), `${where}: ports.inputs[${i}]`));
  iface.ports.outputs.forEach((p, i) => checkPort(p, outputs.get(p.tensor), `${where}: ports.outputs[${i}]`));
  iface.states.forEach((s, i) => {
    if (s.input) checkState(s.shape, s.size, inputs.get(s.input), `${where}: states[${i}]`);
    checkState(s.shape, s.size, outputs.get(s.output), `${where}: states[${i}]`);
  });
}
