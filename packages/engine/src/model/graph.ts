import type { GraphValue } from '@unfold/runtime/proto';
import type { Tensor } from '../tensor';

/**
 * A model as the engine holds it once read: plain data, no protobuf. Node inputs keep ONNX's convention
 * that an empty name is an omitted optional input.
 */
export type Attribute =
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'strings'; readonly value: readonly string[] }
  | { readonly type: 'tensor'; readonly value: Tensor }
  | { readonly type: 'graph'; readonly value: Graph }
  | { readonly type: 'unsupported'; readonly value: string };

export interface Node {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, Attribute>;
}

export interface Graph {
  readonly name: string;
  readonly inputs: readonly GraphValue[];
  readonly outputs: readonly GraphValue[];
  readonly initializers: ReadonlyMap<string, Tensor>;
  readonly nodes: readonly Node[];
}

export interface Model {
  readonly irVersion: number;
  /** Opset version by domain; the default domain is ''. */
  readonly opsets: ReadonlyMap<string, number>;
  readonly graph: Graph;
  readonly metadata: Readonly<Record<string, string>>;
}

/** How a node is named in errors: `node "name" (OpType)`, or its position when unnamed. */
export function nodeLabel(node: Node): string {
  return `node ${JSON.stringify(node.name || node.outputs[0] || '?')} (${node.domain ? `${node.domain}.` : ''}${node.opType})`;
}
