import type { OnnxAttributeValue, OnnxConstant, OnnxGraphBuilder, OnnxSubgraph } from '@unfold/core';

export interface RecordedNode {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly attributes: Readonly<Record<string, OnnxAttributeValue>>;
  readonly outputs: readonly string[];
}

/**
 * An OnnxGraphBuilder that records what a cell's ONNX mapping emits (constants and nodes, in order)
 * instead of building a model, so tests can check ops, attributes, input order, gate order and shapes
 * without the export package or onnxruntime.
 */
export class RecordingGraph implements OnnxGraphBuilder {
  readonly constants = new Map<string, OnnxConstant>();
  readonly nodes: RecordedNode[] = [];
  private count = 0;

  constant(stem: string, value: OnnxConstant): string {
    const name = `${stem}_${this.count++}`;
    this.constants.set(name, value);
    return name;
  }

  node(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, OnnxAttributeValue>> = {}, options: { readonly outputs?: number; readonly stem?: string } = {}): string[] {
    const stem = options.stem ?? opType.toLowerCase();
    const outputs = Array.from({ length: options.outputs ?? 1 }, (_, k) => `${stem}_${this.count}_out${k}`);
    this.count++;
    this.nodes.push({ opType, inputs: [...inputs], attributes, outputs });
    return outputs;
  }

  /** The native recurrent mappings build no subgraph; a call is a test failure. */
  subgraph(stem: string): OnnxSubgraph {
    throw new Error(`unexpected subgraph ${JSON.stringify(stem)}: a native RNN/GRU/LSTM mapping needs none`);
  }

  /** The single node of an op type; throws when there are none or several. */
  only(opType: string): RecordedNode {
    const found = this.nodes.filter((n) => n.opType === opType);
    if (found.length !== 1) throw new Error(`expected one ${opType} node, found ${found.length}`);
    return found[0] as RecordedNode;
  }

  /** The node that produces a value. */
  producer(value: string): RecordedNode {
    const node = this.nodes.find((n) => n.outputs.includes(value));
    if (!node) throw new Error(`no node produces ${value}`);
    return node;
  }

  /** A constant's int64 values as numbers (axes). */
  axes(name: string): number[] {
    const value = this.constants.get(name);
    if (!value || !('dtype' in value) || value.dtype !== 'int64') throw new Error(`${name} is not an int64 constant`);
    return Array.from(value.data, Number);
  }
}
