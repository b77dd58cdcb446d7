import { invalidModel } from '../errors';
import { type Graph, type Node, nodeLabel } from '../model/graph';
import { OPERATORS } from '../ops/registry';
import type { Operator } from '../ops/operator';

/**
 * A graph's execution plan, made once per session: its nodes in topological order, and after each step
 * the values whose last use it was, dropped so their memory is released while the run goes on. A Scan,
 * Loop or If body gets its own plan (once, not per iteration); a value the body reads from an enclosing
 * graph counts as used by the node that owns the body.
 */
export interface Step {
  readonly node: Node;
  readonly operator: Operator;
  readonly where: string;
  /** Values of this graph to drop after the step (their last use). */
  readonly release: readonly string[];
}

export interface Plan {
  readonly graph: Graph;
  readonly steps: readonly Step[];
  /** Names the graph reads from its enclosing graphs. */
  readonly outer: ReadonlySet<string>;
}

/** Names a node reads: its inputs and whatever its bodies read from outside themselves. */
function reads(node: Node, plans: Map<Graph, Plan>, where: string): string[] {
  const names = node.inputs.filter((name) => name !== '');
  for (const attribute of node.attributes.values()) {
    if (attribute.type === 'graph') names.push(...planGraph(attribute.value, plans, `${where} body`).outer);
  }
  return names;
}

/** Plans `graph` and every body under it into `plans`; returns the graph's plan. */
export function planGraph(graph: Graph, plans: Map<Graph, Plan>, where: string): Plan {
  const known = plans.get(graph);
  if (known) return known;
  const defined = new Set<string>([...graph.inputs.map((v) => v.name), ...graph.initializers.keys()]);
  const producer = new Map<string, number>();
  graph.nodes.forEach((node, i) => node.outputs.forEach((name) => name && producer.set(name, i)));
  const nodeReads = graph.nodes.map((node) => reads(node, plans, `${where}: ${nodeLabel(node)}`));
  const outer = new Set<string>();
  // Kahn's algorithm, in file order among the ready nodes (exporters write nodes in order; this costs nothing then).
  const waiting = nodeReads.map((names) => new Set(names.filter((n) => producer.has(n) && !defined.has(n))).size);
  const dependants = graph.nodes.map(() => [] as number[]);
  nodeReads.forEach((names, i) => {
    for (const name of new Set(names)) {
      const from = producer.get(name);
      if (from !== undefined && !defined.has(name)) dependants[from]?.push(i);
      else if (from === undefined && !defined.has(name)) outer.add(name);
    }
  });
  const order: number[] = [];
  const ready = waiting.flatMap((count, i) => (count === 0 ? [i] : []));
  while (ready.length > 0) {
    const i = ready.shift() as number;
    order.push(i);
    for (const j of dependants[i] ?? []) if (--waiting[j]! === 0) ready.push(j);
  }
  if (order.length !== graph.nodes.length) {
    const stuck = graph.nodes.find((_, i) => !order.includes(i));
    throw invalidModel(`${where}: ${stuck ? nodeLabel(stuck) : 'graph'}`, 'the graph has a cycle', 'an acyclic graph', 'nodes that wait on each other');
  }
  for (const output of graph.outputs) if (!defined.has(output.name) && !producer.has(output.name)) outer.add(output.name);
  const kept = new Set(graph.outputs.map((v) => v.name));
  const lastUse = new Map<string, number>();
  order.forEach((i, step) => {
    for (const name of nodeReads[i] ?? []) if (!kept.has(name) && !graph.initializers.has(name) && !outer.has(name)) lastUse.set(name, step);
    // A value nothing reads is released right after the step that made it.
    for (const name of graph.nodes[i]?.outputs ?? []) if (name && !kept.has(name) && !lastUse.has(name)) lastUse.set(name, step);
  });
  const release = order.map(() => [] as string[]);
  for (const [name, step] of lastUse) release[step]?.push(name);
  const plan: Plan = {
    graph,
    outer,
    steps: order.map((i, step) => {
      const node = graph.nodes[i] as Node;
      return { node, operator: OPERATORS.get(node.opType) as Operator, where: nodeLabel(node), release: release[step] as string[] };
    }),
  };
  plans.set(graph, plan);
  return plan;
}
