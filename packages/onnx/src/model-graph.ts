import { create } from '@bufbuild/protobuf';
import { ExportError, type OnnxGraphBuilder, type OnnxValueType } from '@unfold/core';
import { GraphProtoSchema, type GraphProto, type ValueInfoProto } from 'onnx-buf';
import { GraphWriter, Scope } from './graph-builder';
import { valueInfo } from './value-info';

/**
 * A builder for a model's main graph: the OnnxGraphBuilder plugins write to, plus the graph's own inputs
 * and outputs under exact names. Turn it into file bytes with `serializeGraph`. Exporting a registry
 * model needs none of this (`exportModel` does it); it is for hand-built graphs, such as the single-op
 * reference graphs benchmarks compare exports against.
 */
export interface OnnxModelBuilder extends OnnxGraphBuilder {
  /** Declares a graph input named exactly `name` (one of the names given to createModelBuilder). */
  input(name: string, type: OnnxValueType): string;
  /** Makes `value` a graph output named exactly `name` (one of the names given to createModelBuilder). */
  output(name: string, value: string, type: OnnxValueType): void;
  /** The same graph with every stem prefixed by `path` (`layers.1` names a constant `W` `layers.1.W`). */
  scoped(path: string): OnnxGraphBuilder;
}

/** A model builder whose graph inputs and outputs will have these names (reserved, so no stem takes them). */
export function createModelBuilder(interfaceNames: readonly string[]): OnnxModelBuilder {
  return new ModelGraph(interfaceNames);
}

/**
 * The main graph of a model: a GraphWriter that also declares the graph's inputs and outputs under exact,
 * reserved names (`input`, `state_in.h`, ...). Reserving them up front keeps every stem-derived name
 * from taking an interface name.
 */
export class ModelGraph extends GraphWriter implements OnnxModelBuilder {
  private readonly graphInputs: ValueInfoProto[] = [];
  private readonly graphOutputs: ValueInfoProto[] = [];
  private readonly reserved: Set<string>;

  constructor(reserved: readonly string[]) {
    super({ values: new Set(reserved), nodeNames: new Set(), graphNames: new Set(), initializers: [], subgraphs: new Map(), domains: new Set() }, new Scope(), [], '', new Set());
    this.reserved = new Set(reserved);
  }

  /** Declares a graph input; `name` must be one of the reserved names. */
  input(name: string, type: OnnxValueType): string {
    this.claim(name, 'input');
    this.scope.add(name);
    this.graphInputs.push(valueInfo(name, type));
    return name;
  }

  /** Makes `value` a graph output named exactly `name`, through an Identity so every output is its own value. */
  output(name: string, value: string, type: OnnxValueType): void {
    this.claim(name, 'output');
    this.push({ opType: 'Identity', inputs: [value], attributes: {}, stem: name, domain: '' }, [name]);
    this.graphOutputs.push(valueInfo(name, type));
  }

  /** Operator domains other than the default that nodes used (each needs an opset import). */
  domains(): readonly string[] {
    return [...this.state.domains];
  }

  finish(name: string, docString: string): GraphProto {
    return create(GraphProtoSchema, { name, docString, node: this.nodes, initializer: this.state.initializers, input: this.graphInputs, output: this.graphOutputs });
  }

  private claim(name: string, what: string): void {
    if (!this.reserved.delete(name)) {
      throw new ExportError(`graph ${what} ${JSON.stringify(name)} is declared twice or was not reserved`, { where: 'ModelGraph', expected: 'each interface name reserved once when the graph is made', got: name });
    }
  }
}
