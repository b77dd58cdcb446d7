import type { GraphProto, ModelProto, NodeProto, ValueInfoProto } from 'onnx-buf';
import { concreteDim, formatDims } from './dims';
import { dataValue } from './data-layout';
import { tokensValue } from './embedding-node';
import { importError, nodeLabel } from './errors';
import { headOps } from './head-ops';
import { layoutOps } from './layout-ops';
import { lengthsOps } from './lengths-ops';
import { nodeContext, type OpHandler } from './node-context';
import { declaredDims, graphInputs, isIntegerType, opsetOf, readStatic } from './read-graph';
import type { EvalState } from './records';
import { recurrentOps } from './recurrent-node';
import { shapeOps } from './shape-ops';
import type { Atom, Value } from './values';

/**
 * The graph evaluator: every node in file order (ONNX requires topological order), each op computed on
 * abstract values (values.ts) by its handler. Nodes no graph output depends on are skipped. Before
 * anything runs, every node is checked against the supported ops, and all unsupported ones are reported
 * in one error.
 */
const HANDLERS: Readonly<Record<string, OpHandler>> = { ...shapeOps, ...layoutOps, ...lengthsOps, ...recurrentOps, ...headOps };

/** Op types the importer evaluates (default ONNX domain). */
export const SUPPORTED_OPS: readonly string[] = Object.freeze(Object.keys(HANDLERS).sort());

export interface GraphPort {
  readonly name: string;
  readonly info: ValueInfoProto;
  /** Undefined for an input nothing reads, or one of a type the importer does not use. */
  readonly value: Value | undefined;
}

export interface Evaluation {
  readonly state: EvalState;
  readonly inputs: readonly GraphPort[];
  readonly outputs: readonly GraphPort[];
  /** How many nodes of each op type the graph has. */
  readonly ops: Readonly<Record<string, number>>;
}

function checkSupported(graph: GraphProto, file: string): void {
  const unsupported = graph.node.filter((node) => (node.domain !== '' && node.domain !== 'ai.onnx') || !Object.hasOwn(HANDLERS, node.opType));
  if (unsupported.length === 0) return;
  throw importError(`${unsupported.length} node${unsupported.length === 1 ? '' : 's'} of unsupported op types`, {
    where: file,
    expected: `only recurrent nodes (RNN, GRU, LSTM), their glue and dense heads: ${SUPPORTED_OPS.join(', ')}`,
    got: unsupported.map(nodeLabel).join(', '),
    fix: 'export only the recurrent part of the model (and a linear head), or rebuild the model from unfold plugins',
  });
}

/** A graph input as an abstract value: float features/states as data, an integer vector as lengths, integer [batch, time, …] as token ids. */
function inputValue(info: ValueInfoProto, file: string): Value | undefined {
  const declared = declaredDims(info);
  if (!declared) return undefined;
  const { dtype, dims } = declared;
  if (isIntegerType(dtype) && dims.length === 1) {
    return { kind: 'marked', dtype, shape: dims, meaning: { what: 'lengths', lengths: { input: info.name, word: [], clipped: false } }, marks: { seq: 0 } };
  }
  if (isIntegerType(dtype) && dims.length >= 2) return tokensValue(info.name, dims);
  if (dtype !== 'float32' || dims.length < 1) return undefined;
  const units = concreteDim(dims[dims.length - 1] as (typeof dims)[number]);
  if (units === undefined) throw importError('input features have no fixed size', { where: `${file}: input ${JSON.stringify(info.name)}`, expected: 'a fixed last dimension (features)', got: formatDims(dims), fix: 'export with a fixed feature size' });
  const atoms: Atom[] = dims.slice(0, -1).map((size, axis) => ({ kind: 'axis', id: `${info.name}:${axis}`, size, input: { name: info.name, axis } }));
  atoms.push({ kind: 'units', size: units }, { kind: 'entries', entries: [{ kind: 'input', name: info.name }] });
  return dataValue(atoms, dims.map((_, axis) => [axis]));
}

function liveNodes(graph: GraphProto): Set<NodeProto> {
  const producer = new Map<string, NodeProto>();
  for (const node of graph.node) for (const output of node.output) if (output) producer.set(output, node);
  const live = new Set<NodeProto>();
  const pending = graph.output.map((o) => o.name);
  while (pending.length) {
    const node = producer.get(pending.pop() as string);
    if (!node || live.has(node)) continue;
    live.add(node);
    pending.push(...node.input.filter(Boolean));
  }
  return live;
}

export function evaluateGraph(model: ModelProto, file: string): Evaluation {
  const graph = model.graph as GraphProto;
  checkSupported(graph, file);
  const state: EvalState = { file, opset: opsetOf(model), roles: new Map(), recurrent: [], heads: [], embeddings: [], symbols: 0 };
  const values = new Map<string, Value>();
  for (const tensor of graph.initializer) values.set(tensor.name, readStatic(tensor, `${file}: initializer ${JSON.stringify(tensor.name)}`));
  const inputs = graphInputs(graph).map((info): GraphPort => {
    const value = inputValue(info, file);
    if (value) values.set(info.name, value);
    return { name: info.name, info, value };
  });
  const live = liveNodes(graph);
  const ops: Record<string, number> = {};
  for (const node of graph.node) {
    ops[node.opType] = (ops[node.opType] ?? 0) + 1;
    if (!live.has(node)) continue;
    const results = (HANDLERS[node.opType] as OpHandler)(nodeContext(node, values, state));
    node.output.forEach((name, i) => {
      const value = results[i];
      if (name && value) values.set(name, value);
    });
  }
  const outputs = graph.output.map((info): GraphPort => ({ name: info.name, info, value: values.get(info.name) }));
  return { state, inputs, outputs, ops };
}
