import { unsupported } from './errors';
import { type Graph, type Model, nodeLabel } from './model/graph';
import { OPERATORS } from './ops/registry';
import { TENSOR_TYPES } from './tensor';

/**
 * What the engine checks before any run, each failure an E_MODEL naming the node, the operator and the
 * fix (serve the file with onnxruntime): the default-domain opset against each operator's range, other
 * domains, operators it lacks, the dtypes of every graph's inputs and outputs, and each node's attributes
 * (the operator's own `check`). Sizes, dims and nesting were checked while reading (read-model.ts and the
 * runtime's checks it reuses).
 */
function checkValues(graph: Graph, where: string): void {
  for (const value of [...graph.inputs, ...graph.outputs]) {
    if (!(value.dtype in TENSOR_TYPES)) throw unsupported(`${where} value ${JSON.stringify(value.name)}`, `dtype ${value.dtype}`, `one of ${Object.keys(TENSOR_TYPES).join(', ')}`);
  }
}

function checkGraph(graph: Graph, opset: number, where: string): void {
  checkValues(graph, where);
  for (const node of graph.nodes) {
    const at = `${where}: ${nodeLabel(node)}`;
    if (node.domain !== '' && node.domain !== 'ai.onnx') throw unsupported(at, `operator domain ${JSON.stringify(node.domain)}`, 'the default ONNX domain');
    const operator = OPERATORS.get(node.opType);
    if (!operator) throw unsupported(at, `operator ${node.opType}`, `one of the engine's ${OPERATORS.size} operators (supportedOperators; docs/engines.md)`);
    if (opset < operator.since || opset > operator.until) throw unsupported(at, `${node.opType} at opset ${opset}`, `opset ${operator.since} to ${operator.until} for ${node.opType}`);
    for (const [name, attribute] of node.attributes) {
      if (attribute.type === 'unsupported') throw unsupported(at, `attribute ${name} of ${attribute.value}`, 'int, float, string, ints, floats, strings, tensor or graph attributes');
      if (attribute.type === 'graph') checkGraph(attribute.value, opset, `${at} ${name}`);
    }
    operator.check?.(node, at);
  }
}

/** Every operator type the engine lacks, in the graph and its bodies, with the first node of each. */
function missingOperators(graph: Graph, where: string, found: Map<string, string>): Map<string, string> {
  for (const node of graph.nodes) {
    if (!OPERATORS.has(node.opType) && !found.has(node.opType)) found.set(node.opType, `${where}: ${nodeLabel(node)}`);
    for (const [name, attribute] of node.attributes) if (attribute.type === 'graph') missingOperators(attribute.value, `${where}: ${nodeLabel(node)} ${name}`, found);
  }
  return found;
}

/**
 * Imports of other domains are harmless until a node uses one; checkGraph refuses such nodes. Operators the
 * engine lacks are named all at once (the first node of each), so one error says everything a file needs.
 */
export function checkModel(model: Model, where: string): void {
  const opset = model.opsets.get('');
  if (opset === undefined) throw unsupported(`${where}: opset_import`, 'no default-domain opset', 'an opset_import of the default ONNX domain');
  const missing = [...missingOperators(model.graph, where, new Map())];
  if (missing.length > 1) {
    const [first] = missing as [[string, string]];
    throw unsupported(first[1], `operators ${missing.map(([type, at]) => `${type} (${at.slice(where.length + 2)})`).join(', ')}`, `the engine's ${OPERATORS.size} operators (supportedOperators; docs/engines.md)`);
  }
  checkGraph(model.graph, opset, where);
}
