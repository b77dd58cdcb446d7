import type { Graph, Node } from '../model/graph';
import type { Tensor } from '../tensor';

/**
 * One operator implementation. `since`/`until` are the default-domain opset versions whose semantics it
 * implements (a model importing an opset outside that range is refused at load). `check` looks at a node's
 * attributes at load, so a value the engine lacks (an activation, a mode) fails before any run.
 */
export interface Operator {
  readonly since: number;
  readonly until: number;
  check?(node: Node, where: string): void;
  run(inputs: readonly (Tensor | undefined)[], context: OpContext): Tensor[];
}

/** What a running node sees besides its inputs. */
export interface OpContext {
  readonly node: Node;
  /** `node "name" (OpType)`, for errors. */
  readonly where: string;
  /**
   * Runs a subgraph attribute of this node (a Scan, Loop or If body) with its inputs by position, in a
   * scope that sees this node's graph; returns the body's outputs by position. The body was planned at load.
   */
  runBody(body: Graph, inputs: readonly Tensor[]): Tensor[];
  /** Whether input `index` is an initializer of this graph or an enclosing one: a constant of the model, the same array on every run. */
  isInitializer(index: number): boolean;
}
