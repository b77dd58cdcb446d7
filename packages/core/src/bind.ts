import type { Tensor } from '@tensorflow/tfjs-core';
import { ConfigError } from './errors';
import type { BoundNode, ParamTensors, ResolvedNode } from './plugins';
import { ownParameters } from './resolve';

/**
 * Binds a resolved model to its parameter tensors (keyed by full path, as `modelParameters` names them)
 * so layers can reach their children's plugins and weights at run time. Cheap: no tensors are created.
 */
export function bindNode<C = unknown>(node: ResolvedNode<C>, tensors: Readonly<Record<string, Tensor>>): BoundNode<C> {
  const params: Record<string, Tensor> = {};
  for (const spec of ownParameters(node as ResolvedNode)) {
    const name = node.path ? `${node.path}.${spec.name}` : spec.name;
    const tensor = tensors[name];
    if (!tensor) throw new ConfigError(`no tensor bound for parameter ${JSON.stringify(name)}`, { where: node.path || 'model', expected: `a tensor named ${name}`, got: 'none', fix: 'create tensors for every name modelParameters(root) lists' });
    params[spec.name] = tensor;
  }
  const frozen: ParamTensors = Object.freeze(params);
  const slot = (name: string): ResolvedNode | readonly ResolvedNode[] => {
    const child = node.children[name];
    if (child === undefined) throw new ConfigError(`no child slot ${JSON.stringify(name)}`, { where: node.path || 'model', expected: Object.keys(node.children).join(', ') || 'no children', got: name });
    return child;
  };
  return Object.freeze({
    node,
    params: frozen,
    child(name: string): BoundNode {
      const child = slot(name);
      if (Array.isArray(child)) throw new ConfigError(`child slot ${JSON.stringify(name)} is a list`, { where: node.path || 'model', expected: 'list(name)', got: 'child(name)' });
      return bindNode(child as ResolvedNode, tensors);
    },
    list(name: string): readonly BoundNode[] {
      const child = slot(name);
      if (!Array.isArray(child)) throw new ConfigError(`child slot ${JSON.stringify(name)} is not a list`, { where: node.path || 'model', expected: 'child(name)', got: 'list(name)' });
      return (child as readonly ResolvedNode[]).map((item) => bindNode(item, tensors));
    },
  });
}
