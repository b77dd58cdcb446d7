import { ConfigError, SerializationError, ShapeError } from './errors';
import { formatShape, hostTensor, sameShape, shapeSize, type WeightMap } from './host-tensor';
import type { ParamSpec, ResolvedNode } from './plugins';
import type { Registry } from './registry';
import { Rng } from './rng';
import { parseModelSpec, type ModelSpec } from './spec';

function childPath(parent: string, slot: string): string {
  return parent ? `${parent}.${slot}` : slot;
}

/**
 * Validates a spec against a registry: every kind is known and of the right family, every config
 * passes its plugin's `validate` (defaults filled in), children match the layer's slots, and each
 * layer's cross-child `check` holds. Errors name the spec path.
 */
export function resolveModel(registry: Registry, spec: ModelSpec, path = ''): ResolvedNode {
  const where = path || 'model';
  parseModelSpec(spec, where);
  const plugin = registry.lookup(spec.kind, where);
  const config = plugin.validate(spec.config ?? {}, `${where} (${plugin.kind})`);
  const children: Record<string, ResolvedNode | readonly ResolvedNode[]> = {};
  const given = spec.children ?? {};
  const family = plugin.familySpec;
  const slots = family.children?.(plugin, config) ?? [];
  for (const slot of slots) {
    const child = given[slot.name];
    const at = childPath(path, slot.name);
    if (child === undefined && slot.optional) continue;
    if (child === undefined) {
      throw new ConfigError(`missing child ${JSON.stringify(slot.name)}`, { where, expected: `${slot.list ? 'a list of' : 'a'} ${slot.families.join(' or ')} spec under children.${slot.name}`, got: 'nothing', fix: `add children: { ${slot.name}: ${slot.list ? '[{ kind: ... }]' : '{ kind: ... }'} }` });
    }
    if (slot.list !== Array.isArray(child)) {
      throw new ConfigError(`child ${JSON.stringify(slot.name)} has the wrong form`, { where, expected: slot.list ? 'a list of specs' : 'a single spec', got: Array.isArray(child) ? 'a list' : 'a single spec' });
    }
    const specs: readonly ModelSpec[] = Array.isArray(child) ? child : [child as ModelSpec];
    const resolved = specs.map((item, i) => {
      const node = resolveModel(registry, item, slot.list ? childPath(at, String(i)) : at);
      if (!slot.families.includes(node.plugin.family)) {
        throw new ConfigError('child has the wrong family', { where: node.path, expected: `a ${slot.families.join(' or ')} in slot ${slot.name}`, got: `${node.plugin.family} ${JSON.stringify(node.plugin.kind)}` });
      }
      return node;
    });
    children[slot.name] = slot.list ? Object.freeze(resolved) : (resolved[0] as ResolvedNode);
  }
  const extra = Object.keys(given).filter((name) => !slots.some((slot) => slot.name === name));
  if (extra.length) {
    const expected = slots.length ? `children ${slots.map((s) => s.name).join(', ')}` : `no children (a ${plugin.family} has none)`;
    throw new ConfigError(slots.length ? `unknown child ${JSON.stringify(extra[0])}` : `a ${plugin.family} has no children`, { where, expected, got: extra.join(', ') });
  }
  const node: ResolvedNode = Object.freeze({ path, plugin, config, children: Object.freeze(children), metadata: Object.freeze({ ...(spec.metadata ?? {}) }) });
  family.checkChildren?.(plugin, node);
  return node;
}

/** The parameters a node declares itself (not its children's). */
export function ownParameters(node: ResolvedNode): readonly ParamSpec[] {
  return node.plugin.familySpec.parameters(node.plugin, node);
}

export interface NamedParam {
  /** Full dotted path: `layers.0.cell.W`. */
  readonly name: string;
  readonly spec: ParamSpec;
  readonly node: ResolvedNode;
}

/** Every parameter of the tree, depth first in slot order, with full path names. */
export function modelParameters(root: ResolvedNode): readonly NamedParam[] {
  const out: NamedParam[] = [];
  const visit = (node: ResolvedNode): void => {
    for (const spec of ownParameters(node)) out.push({ name: childPath(node.path, spec.name), spec, node });
    for (const child of Object.values(node.children)) {
      if (Array.isArray(child)) child.forEach(visit);
      else visit(child as ResolvedNode);
    }
  };
  visit(root);
  return out;
}

/**
 * Initial weights for a resolved model. Each parameter draws from `new Rng(seed).fork(name)`, so the same
 * seed gives bit-identical weights, and a parameter's values depend only on the seed and its path.
 */
export function initWeights(root: ResolvedNode, seed: number | string): WeightMap {
  const rng = new Rng(seed);
  const weights: Record<string, ReturnType<typeof hostTensor>> = {};
  for (const { name, spec } of modelParameters(root)) {
    const data = spec.init(spec.shape, rng.fork(name));
    weights[name] = hostTensor(spec.shape, data, `init ${name}`);
  }
  return Object.freeze(weights);
}

/**
 * Checks that `weights` has exactly the model's parameters with the right shapes and finite values.
 * A missing or foreign weight is a SerializationError; a wrong shape is a ShapeError.
 */
export function checkWeights(root: ResolvedNode, weights: WeightMap, where = 'weights'): void {
  const params = modelParameters(root);
  const expected = new Set(params.map((p) => p.name));
  for (const { name, spec } of params) {
    const tensor = weights[name];
    if (!tensor) {
      throw new SerializationError(`missing weight ${JSON.stringify(name)}`, { where, expected: `a ${formatShape(spec.shape)} tensor named ${name}`, got: 'no such tensor', fix: 'the weights belong to a different model spec; save the model again or use its own spec' });
    }
    if (!sameShape(tensor.shape, spec.shape) || tensor.data.length !== shapeSize(spec.shape)) {
      throw new ShapeError(`weight ${JSON.stringify(name)} has the wrong shape`, { where, expected: formatShape(spec.shape), got: formatShape(tensor.shape) });
    }
    const bad = tensor.data.findIndex((value) => !Number.isFinite(value));
    if (bad >= 0) {
      throw new SerializationError(`weight ${JSON.stringify(name)} holds a non-finite value`, { where, expected: 'finite float32 values', got: `${tensor.data[bad]} at flat index ${bad}`, fix: 'the model diverged before it was saved; lower the learning rate or clip gradients, and save a finite model' });
    }
  }
  const foreign = Object.keys(weights).filter((name) => !expected.has(name));
  if (foreign.length) {
    throw new SerializationError(`unexpected weight ${JSON.stringify(foreign[0])}`, { where, expected: `only ${[...expected].join(', ') || 'no weights'}`, got: foreign.join(', '), fix: 'the weights belong to a different model spec' });
  }
}
