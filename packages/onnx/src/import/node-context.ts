import type { NodeProto } from 'onnx-buf';
import { atNode, importError } from './errors';
import { Attributes } from './read-graph';
import type { EvalState } from './records';
import { describeValue, type Value } from './values';

/**
 * What an op handler sees: the node, its attributes, its input values and the shared evaluation state.
 * Handlers return one value per node output (undefined for an optional output nobody can use).
 */
export interface NodeContext {
  readonly node: NodeProto;
  readonly attributes: Attributes;
  /** `model.onnx: node "/rnn/Slice" (Slice)` */
  readonly where: string;
  readonly state: EvalState;
  /** Input `index`; a missing or empty input is an error naming the node. */
  input(index: number): Value;
  /** Input `index`, or undefined when the node leaves it out (''). */
  optional(index: number): Value | undefined;
  describe(index: number): string;
  freshSymbol(prefix: string): string;
}

export type OpHandler = (context: NodeContext) => readonly (Value | undefined)[];

export function nodeContext(node: NodeProto, values: ReadonlyMap<string, Value>, state: EvalState): NodeContext {
  const where = atNode(state.file, node);
  const optional = (index: number): Value | undefined => {
    const name = node.input[index];
    if (!name) return undefined;
    const value = values.get(name);
    if (!value) throw importError(`input ${JSON.stringify(name)} has no value the importer can use`, { where, expected: 'a float32 graph input (features, states), an integer vector input (lengths), an initializer, or an earlier node’s output (nodes in topological order)', got: `nothing usable named ${JSON.stringify(name)}`, fix: 'check the graph with onnx.checker.check_model; other input types (token ids, strings) are not imported' });
    return value;
  };
  return {
    node,
    attributes: new Attributes(node, state.file),
    where,
    state,
    optional,
    input(index) {
      const value = optional(index);
      if (!value) throw importError(`input ${index} is missing`, { where, expected: `input ${index}`, got: `${node.input.length} inputs (${node.input.map((n) => JSON.stringify(n)).join(', ')})` });
      return value;
    },
    describe(index) {
      const value = optional(index);
      return value ? describeValue(value) : 'nothing';
    },
    freshSymbol(prefix) {
      state.symbols += 1;
      return `${prefix}${state.symbols}`;
    },
  };
}
