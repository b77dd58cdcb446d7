import type { Attribute, Graph, Node } from '../model/graph';
import { invalidModel, unsupported } from '../errors';
import type { Tensor } from '../tensor';

/**
 * Typed reads of a node's attributes with ONNX's defaults. A present attribute of the wrong type is a
 * broken file (E_MODEL); a missing required one too.
 */
function read(node: Node, name: string, type: Attribute['type']): unknown {
  const attribute = node.attributes.get(name);
  if (attribute === undefined) return undefined;
  if (attribute.type !== type) throw invalidModel(`node ${JSON.stringify(node.name)} (${node.opType})`, `attribute ${name} has the wrong type`, type, attribute.type);
  return attribute.value;
}

function required<T>(node: Node, name: string, value: T | undefined): T {
  if (value === undefined) throw invalidModel(`node ${JSON.stringify(node.name)} (${node.opType})`, `attribute ${name} is missing`, `the attribute ${name}`, 'none');
  return value;
}

export const intAttr = (node: Node, name: string, fallback?: number): number => required(node, name, (read(node, name, 'int') as number | undefined) ?? fallback);
export const floatAttr = (node: Node, name: string, fallback?: number): number => required(node, name, (read(node, name, 'float') as number | undefined) ?? fallback);
export const stringAttr = (node: Node, name: string, fallback?: string): string => required(node, name, (read(node, name, 'string') as string | undefined) ?? fallback);
export const intsAttr = (node: Node, name: string, fallback?: readonly number[]): readonly number[] => required(node, name, (read(node, name, 'ints') as readonly number[] | undefined) ?? fallback);
export const stringsAttr = (node: Node, name: string, fallback?: readonly string[]): readonly string[] => required(node, name, (read(node, name, 'strings') as readonly string[] | undefined) ?? fallback);
export const tensorAttr = (node: Node, name: string): Tensor | undefined => read(node, name, 'tensor') as Tensor | undefined;
export const graphAttr = (node: Node, name: string): Graph => required(node, name, read(node, name, 'graph') as Graph | undefined);
export const hasAttr = (node: Node, name: string): boolean => node.attributes.has(name);

/** Refuses at load an attribute value outside `allowed` (the engine implements only those). */
export function onlyValues(node: Node, where: string, name: string, value: number | string, allowed: readonly (number | string)[]): void {
  if (!allowed.includes(value)) throw unsupported(where, `${name} = ${JSON.stringify(value)}`, `${name} in ${JSON.stringify(allowed)}`);
}
