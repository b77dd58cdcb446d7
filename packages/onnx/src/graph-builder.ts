import { create } from '@bufbuild/protobuf';
import {
  ExportError,
  formatShape,
  shapeSize,
  type OnnxAttributeValue,
  type OnnxConstant,
  type OnnxGraphBuilder,
  type OnnxSubgraph,
  type OnnxSubgraphSignature,
} from '@unfold/core';
import { GraphProtoSchema, NodeProtoSchema, type GraphProto, type NodeProto, type TensorProto } from 'onnx-buf';
import { attributeProto } from './attributes';
import { tensorProto } from './tensor-proto';
import { valueInfo } from './value-info';

/**
 * The OnnxGraphBuilder that plugin mappings write to. Names come from stems and are unique across the whole
 * model, subgraphs included (ONNX requires single assignment, and a subgraph must not shadow an outer
 * name); each plugin gets a view whose stems are prefixed with its path, so a cell at `layers.1` names
 * its weights `layers.1.W`. Every node input must name a value visible at that point, so a mapping bug
 * fails at export with the op and the name, not later inside onnxruntime.
 */
export interface GraphState {
  /** Every value name in the model (inputs, initializers, node outputs, subgraph inputs). */
  readonly values: Set<string>;
  readonly nodeNames: Set<string>;
  readonly graphNames: Set<string>;
  readonly initializers: TensorProto[];
  readonly subgraphs: Map<string, { readonly proto: GraphProto; used: boolean }>;
  /** Operator domains other than the default one that nodes use. */
  readonly domains: Set<string>;
}

/** Takes `stem` if free, else `stem_1`, `stem_2`, ... and marks it taken. */
export function uniqueName(taken: Set<string>, stem: string): string {
  let name = stem;
  for (let i = 1; taken.has(name); i++) name = `${stem}_${i}`;
  taken.add(name);
  return name;
}

/** The values visible in one graph: its own, then its enclosing graphs' (ONNX lexical scoping). */
export class Scope {
  private readonly names = new Set<string>();
  constructor(private readonly parent?: Scope) {}
  add(name: string): void {
    this.names.add(name);
  }
  has(name: string): boolean {
    return this.names.has(name) || (this.parent?.has(name) ?? false);
  }
  root(): Scope {
    return this.parent ? this.parent.root() : this;
  }
}

interface NodeRequest {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly attributes: Readonly<Record<string, OnnxAttributeValue>>;
  readonly stem: string;
  readonly domain: string;
}

export class GraphWriter implements OnnxGraphBuilder {
  constructor(
    protected readonly state: GraphState,
    protected readonly scope: Scope,
    protected readonly nodes: NodeProto[],
    /** Path prepended to every stem (`layers.1`); '' at the root. */
    readonly prefix: string,
    /** Values computed by nodes of this graph (not inputs, constants or outer values). */
    protected readonly produced: Set<string>,
  ) {}

  /** True when `name` is a value visible here (this graph's, or an enclosing graph's). */
  knows(name: string): boolean {
    return this.scope.has(name);
  }

  /** The same graph, with stems prefixed by `path` as well (a plugin's node path). */
  scoped(path: string): GraphWriter {
    return new GraphWriter(this.state, this.scope, this.nodes, this.qualify(path), this.produced);
  }

  protected qualify(stem: string): string {
    if (!stem) return this.prefix || 'value';
    return this.prefix ? `${this.prefix}.${stem}` : stem;
  }

  protected where(what: string): string {
    return `${this.prefix || 'model'}: ${what}`;
  }

  constant(stem: string, value: OnnxConstant): string {
    const size = shapeSize(value.shape);
    if (!value.shape.every((dim) => Number.isSafeInteger(dim) && dim >= 0) || value.data.length !== size) {
      throw new ExportError('constant data does not match its shape', { where: this.where(`constant ${JSON.stringify(stem)}`), expected: `${size} values for shape ${formatShape(value.shape)}`, got: `${value.data.length} values`, fix: 'pass row-major data with one value per element' });
    }
    const name = uniqueName(this.state.values, this.qualify(stem));
    this.state.initializers.push(tensorProto(name, value));
    this.scope.root().add(name);
    return name;
  }

  node(
    opType: string,
    inputs: readonly string[],
    attributes: Readonly<Record<string, OnnxAttributeValue>> = {},
    options: { readonly outputs?: number; readonly stem?: string; readonly domain?: string } = {},
  ): string[] {
    const count = options.outputs ?? 1;
    if (!Number.isSafeInteger(count) || count < 1) {
      throw new ExportError('a node needs at least one output', { where: this.where(`${opType} node`), expected: 'options.outputs >= 1', got: String(options.outputs) });
    }
    const base = this.qualify(options.stem ?? opType);
    const outputs = Array.from({ length: count }, (_, i) => uniqueName(this.state.values, count === 1 ? base : `${base}.${i}`));
    this.push({ opType, inputs, attributes, stem: options.stem ?? opType, domain: options.domain ?? '' }, outputs);
    return outputs;
  }

  /** Adds a node whose outputs are given names (already reserved in `state.values`). */
  protected push(request: NodeRequest, outputs: readonly string[]): void {
    const where = this.where(`${request.opType} node`);
    request.inputs.forEach((input, i) => {
      if (input !== '' && !this.scope.has(input)) {
        throw new ExportError(`input ${i} of a ${request.opType} node is not a known value`, { where, expected: "a name returned by constant(), node() or a graph or subgraph input visible here, or '' for an optional input left out", got: JSON.stringify(input), fix: 'pass the names the builder returned; values made inside a subgraph are not visible outside it' });
      }
    });
    const attribute = Object.entries(request.attributes).map(([name, value]) => attributeProto(name, value, where, (handle) => this.takeSubgraph(handle, where)));
    if (request.domain) this.state.domains.add(request.domain);
    const name = uniqueName(this.state.nodeNames, this.qualify(request.stem));
    this.nodes.push(create(NodeProtoSchema, { name, opType: request.opType, domain: request.domain, input: [...request.inputs], output: [...outputs], attribute }));
    for (const output of outputs) {
      this.scope.add(output);
      this.produced.add(output);
    }
  }

  private takeSubgraph(handle: OnnxSubgraph, where: string): GraphProto {
    const entry = this.state.subgraphs.get(handle?.subgraph);
    if (!entry) {
      throw new ExportError('unknown subgraph', { where, expected: 'a handle returned by graph.subgraph(...) during this export', got: JSON.stringify(handle) });
    }
    if (entry.used) {
      throw new ExportError(`subgraph ${JSON.stringify(handle.subgraph)} is used by two nodes`, { where, expected: 'each subgraph used once (its value names must be unique in the model)', got: 'a second use', fix: 'call graph.subgraph(...) again for each node that needs a body' });
    }
    entry.used = true;
    return entry.proto;
  }

  subgraph(stem: string, signature: OnnxSubgraphSignature, body: (graph: OnnxGraphBuilder, inputs: readonly string[]) => readonly string[]): OnnxSubgraph {
    const where = this.where(`subgraph ${JSON.stringify(stem)}`);
    const name = uniqueName(this.state.graphNames, this.qualify(stem));
    const writer = new GraphWriter(this.state, new Scope(this.scope), [], this.prefix, new Set());
    const inputs = signature.inputs.map((type, i) => writer.declare(type.stem ?? `${stem}.in${i}`));
    const returned = body(writer, inputs);
    if (!Array.isArray(returned) || returned.length !== signature.outputs.length) {
      throw new ExportError('subgraph body returned the wrong number of outputs', { where, expected: `${signature.outputs.length} value names (signature.outputs)`, got: Array.isArray(returned) ? `${returned.length}` : typeof returned });
    }
    const outputs = writer.distinctOutputs(returned, stem, where);
    const proto = create(GraphProtoSchema, {
      name,
      node: writer.nodes,
      input: inputs.map((input, i) => valueInfo(input, signature.inputs[i] as OnnxSubgraphSignature['inputs'][number])),
      output: outputs.map((output, i) => valueInfo(output, signature.outputs[i] as OnnxSubgraphSignature['outputs'][number])),
    });
    this.state.subgraphs.set(name, { proto, used: false });
    return { subgraph: name };
  }

  /** Declares a graph input of this (sub)graph under a fresh name. */
  protected declare(stem: string): string {
    const name = uniqueName(this.state.values, this.qualify(stem));
    this.scope.add(name);
    return name;
  }

  /** Output names computed by this graph, each once; others are routed through an Identity. */
  protected distinctOutputs(values: readonly string[], stem: string, where: string): string[] {
    const seen = new Set<string>();
    return values.map((value, i) => {
      if (typeof value !== 'string' || !this.scope.has(value)) {
        throw new ExportError(`output ${i} is not a known value`, { where, expected: 'a value name visible in the graph', got: JSON.stringify(value) });
      }
      const own = this.produced.has(value) && !seen.has(value) ? value : (this.node('Identity', [value], {}, { stem: `${stem}.out${i}` })[0] as string);
      seen.add(own);
      return own;
    });
  }
}
