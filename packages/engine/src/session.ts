import { checkTensorData, isRuntimeError, readModelInfo, RuntimeError } from '@unfold/runtime/proto';
import { checkModel } from './check';
import { invalidModel } from './errors';
import type { Graph, Model } from './model/graph';
import { readModel } from './model/read-model';
import { execute } from './plan/execute';
import { planGraph, type Plan } from './plan/plan';
import { Tensor } from './tensor';

/**
 * The engine's session, shaped like onnxruntime's InferenceSession: `InferenceSession.create(bytes)`
 * reads, checks and plans the model once; `run(feeds)` checks each feed against the graph's declared
 * dtype and shape, runs the plan and returns fresh output tensors. Options onnxruntime takes (log level,
 * graph optimisation) are accepted and have no effect here.
 */
export interface RunFetches {
  readonly [name: string]: Tensor;
}

const WHERE = 'model';

function toBytes(source: unknown): Uint8Array {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  throw new RuntimeError('E_MODEL', 'the compact engine loads models from bytes', { where: 'InferenceSession.create', expected: 'a Uint8Array or ArrayBuffer of an .onnx file', got: typeof source === 'string' ? 'a path (read the file first)' : typeof source, fix: 'pass the file’s bytes' });
}

/** A feed must have the declared element type and rank, and every fixed dim the graph declares. */
function checkFeed(name: string, tensor: unknown, declared: Model['graph']['inputs'][number]): Tensor {
  if (!(tensor instanceof Tensor)) {
    const t = tensor as { type?: unknown; data?: unknown; dims?: unknown } | undefined;
    if (t && typeof t.type === 'string' && t.data && Array.isArray(t.dims)) return checkFeed(name, new Tensor(t.type as 'float32', t.data as Float32Array, t.dims as number[]), declared);
    throw new RuntimeError('E_DTYPE', 'a feed is not a tensor', { where: `feeds.${name}`, expected: 'a Tensor', got: typeof tensor, fix: 'pass new Tensor(type, data, dims)' });
  }
  if (tensor.type !== declared.dtype) throw new RuntimeError('E_DTYPE', 'a feed has the wrong element type', { where: `feeds.${name}`, expected: declared.dtype, got: tensor.type, fix: `pass a ${declared.dtype} tensor` });
  const shape = declared.shape;
  if (shape && (shape.length !== tensor.dims.length || shape.some((d, i) => typeof d === 'number' && d !== tensor.dims[i]))) {
    throw new RuntimeError('E_SHAPE', 'a feed has the wrong shape', { where: `feeds.${name}`, expected: `[${shape.map((d) => d ?? '?').join(', ')}]`, got: `[${tensor.dims.join(', ')}]`, fix: 'feed the shape the model declares' });
  }
  return tensor;
}

/**
 * Outputs that share memory with a feed, an initializer or another output (Identity, Reshape views) are
 * copied, so a caller may keep and change each one. `foreign` gains every buffer handed out.
 */
function fresh(tensor: Tensor, foreign: Set<ArrayBufferLike>): Tensor {
  const shared = foreign.has(tensor.data.buffer);
  const out = shared ? new Tensor(tensor.type, tensor.data.slice(), tensor.dims) : tensor;
  foreign.add(out.data.buffer);
  return out;
}

function initializerBuffers(graph: Graph, into: Set<ArrayBufferLike>): Set<ArrayBufferLike> {
  for (const tensor of graph.initializers.values()) into.add(tensor.data.buffer);
  for (const node of graph.nodes) {
    for (const attribute of node.attributes.values()) {
      if (attribute.type === 'tensor') into.add(attribute.value.data.buffer);
      if (attribute.type === 'graph') initializerBuffers(attribute.value, into);
    }
  }
  return into;
}

export class InferenceSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** unfold's metadata_props and the rest, as read from the file. */
  readonly metadata: Readonly<Record<string, string>>;
  private model: Model | undefined;
  private readonly plans: Map<Graph, Plan>;
  private readonly constants: Set<ArrayBufferLike>;

  private constructor(model: Model, plans: Map<Graph, Plan>) {
    this.model = model;
    this.plans = plans;
    this.inputNames = model.graph.inputs.map((v) => v.name);
    this.outputNames = model.graph.outputs.map((v) => v.name);
    this.metadata = model.metadata;
    this.constants = initializerBuffers(model.graph, new Set());
  }

  /** Reads, checks and plans a model; throws RuntimeError E_MODEL before any run for a file the engine will not run. */
  static async create(source: Uint8Array | ArrayBuffer, _options?: unknown): Promise<InferenceSession> {
    const bytes = toBytes(source);
    // The runtime's own checks first (the same errors as the onnxruntime path): tensor sizes against
    // dims and the file, declared bytes, nesting depth, graph dims.
    readModelInfo(bytes, WHERE);
    checkTensorData(bytes, WHERE);
    const model = readModel(bytes, WHERE);
    checkModel(model, WHERE);
    const plans = new Map<Graph, Plan>();
    const plan = planGraph(model.graph, plans, `${WHERE}: graph`);
    const dangling = [...plan.outer][0];
    if (dangling !== undefined) throw invalidModel(`${WHERE}: graph`, `the value ${JSON.stringify(dangling)} is read but never made`, 'every node input a graph input, an initializer or a node output', JSON.stringify(dangling));
    return new InferenceSession(model, plans);
  }

  /** Runs the model on `feeds` (every graph input, by name); returns every graph output (or those in `fetches`). */
  async run(feeds: Readonly<Record<string, Tensor>>, fetches?: readonly string[]): Promise<Record<string, Tensor>> {
    const model = this.model;
    if (!model) throw new RuntimeError('E_REQUEST', 'the session was released', { where: 'InferenceSession.run', fix: 'create a new session' });
    const unknown = Object.keys(feeds).find((name) => !this.inputNames.includes(name));
    if (unknown !== undefined) throw new RuntimeError('E_REQUEST', 'a feed the model does not take', { where: `feeds.${unknown}`, expected: `inputs ${this.inputNames.join(', ')}`, got: unknown, fix: 'feed the model’s input names' });
    const inputs = model.graph.inputs.map((declared) => {
      const tensor = feeds[declared.name];
      if (tensor === undefined) throw new RuntimeError('E_REQUEST', 'a model input is not fed', { where: `feeds.${declared.name}`, expected: 'a tensor for every model input', got: 'none', fix: `feed ${declared.name}` });
      return checkFeed(declared.name, tensor, declared);
    });
    const foreign = new Set(this.constants);
    for (const input of inputs) foreign.add(input.data.buffer);
    let outputs: Tensor[];
    try {
      outputs = execute(this.plans.get(model.graph) as Plan, this.plans, inputs, undefined);
    } catch (error) {
      if (isRuntimeError(error)) throw error;
      throw new RuntimeError('E_INFERENCE', 'the compact engine failed to run the model', { where: WHERE, got: error instanceof Error ? error.message : String(error) }, { cause: error });
    }
    const wanted = fetches ?? this.outputNames;
    const result: Record<string, Tensor> = {};
    this.outputNames.forEach((name, i) => {
      if (wanted.includes(name)) result[name] = fresh(outputs[i] as Tensor, foreign);
    });
    return result;
  }

  async release(): Promise<void> {
    this.model = undefined;
    this.plans.clear();
  }
}
