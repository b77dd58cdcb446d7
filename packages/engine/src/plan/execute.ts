import { RuntimeError } from '@unfold/runtime/proto';
import { invalidModel } from '../errors';
import type { Graph } from '../model/graph';
import type { OpContext } from '../ops/operator';
import type { Tensor } from '../tensor';
import type { Plan } from './plan';

/**
 * Runs a planned graph: values live in a map per run (and per body iteration), looked up through the
 * enclosing graphs' scopes; each step's last-used values are dropped after it. Returns the graph's
 * outputs in order.
 */
export interface Scope {
  lookup(name: string): Tensor | undefined;
  /** Whether `name` resolves to an initializer (no value of this run hides it). */
  initializer(name: string): boolean;
}

export function execute(plan: Plan, plans: ReadonlyMap<Graph, Plan>, inputs: readonly Tensor[], parent: Scope | undefined): Tensor[] {
  const { graph } = plan;
  const values = new Map<string, Tensor>();
  graph.inputs.forEach((value, i) => {
    const tensor = inputs[i];
    if (tensor) values.set(value.name, tensor);
  });
  const scope: Scope = {
    lookup: (name) => values.get(name) ?? graph.initializers.get(name) ?? parent?.lookup(name),
    initializer: (name) => !values.has(name) && (graph.initializers.has(name) || (parent?.initializer(name) ?? false)),
  };
  const runBody = (body: Graph, bodyInputs: readonly Tensor[]) => execute(plans.get(body) as Plan, plans, bodyInputs, scope);
  for (const step of plan.steps) {
    const { node, where } = step;
    const args = node.inputs.map((name) => {
      if (name === '') return undefined;
      const value = scope.lookup(name);
      if (!value) throw invalidModel(where, `input ${JSON.stringify(name)} has no value`, 'a value made before this node', 'none');
      return value;
    });
    const context: OpContext = { node, where, runBody, isInitializer: (index) => scope.initializer(node.inputs[index] ?? '') };
    let results: Tensor[];
    try {
      results = step.operator.run(args, context);
    } catch (cause) {
      if (cause instanceof RuntimeError) throw cause;
      throw new RuntimeError('E_INFERENCE', 'the compact engine failed to run a node', { where, got: cause instanceof Error ? cause.message : String(cause) }, { cause });
    }
    node.outputs.forEach((name, i) => {
      const result = results[i];
      if (name && result) values.set(name, result);
    });
    for (const name of step.release) values.delete(name);
  }
  return graph.outputs.map((output) => {
    const value = scope.lookup(output.name);
    if (!value) throw invalidModel(`graph output ${JSON.stringify(output.name)}`, 'a graph output has no value', 'an output some node makes', 'none');
    return value;
  });
}
