import {
  ConfigError,
  DECODER_INPUT_PORT,
  portsOf,
  inputSpecOf,
  isMap,
  isRecurrence,
  isSequenceLayer,
  isUnfoldError,
  outputSizeOf,
  resolveModel,
  semanticsOf,
  type HeadPlugin,
  type ModelSpec,
  type Plugin,
  type Registry,
  type ResolvedNode,
} from '@unfold/core';

/**
 * Sizes that depend on the data, filled into a model spec (`unfold train --spec … --data …`).
 *
 * The rule: an integer config option written `"auto"`, or a required integer option left out, is an
 * unknown. Unknowns are solved from the data and from the plugins' own declarations, never from kinds:
 *
 *   1. the model's input size (its first part's `inputSize`, or an embedding's vocabulary) is the data's
 *      feature count per step, or the vocabulary size for token data;
 *   2. the model's output size is the data's target size: values per target, the number of classes
 *      (largest label + 1), or the vocabulary for a language model;
 *   3. every size a layer's own `checkChildren` requires to agree (a body reads what the input head emits,
 *      an output head reads what the body emits, layer i + 1 reads layer i's output) is taken from the
 *      sizes the other parts declare.
 *
 * How: each unknown gets a distinct sentinel value and the spec is resolved without the cross-child checks;
 * an unknown whose sentinel shows up as the model's input or output size takes the data's size (1, 2); then
 * the checks run bottom-up, and at the first that fails the fewest unknowns (up to three) are set to sizes
 * other parts declare so that the check passes (3). An unknown no rule reaches (a hidden size) is an error
 * naming the option; so is an ambiguous one.
 */
export const AUTO = 'auto';

/** What the data needs of the model. */
export interface DataSizes {
  /** Features per step, or for token ids the number of ids the data uses (its vocabulary). */
  readonly input: { readonly kind: 'features' | 'tokens'; readonly size: number };
  /** Values per target, or for class labels the number of classes. */
  readonly output: { readonly kind: 'values' | 'classes'; readonly size: number };
}

export interface FilledOption {
  /** `model`, `body`, `layers.1`: the spec node. */
  readonly where: string;
  readonly option: string;
  readonly value: number;
}

interface Unknown {
  readonly where: string;
  readonly option: string;
  readonly sentinel: number;
}

const SENTINEL_BASE = 90_001;
const isSentinel = (value: number): boolean => value >= SENTINEL_BASE;

type Values = ReadonlyMap<string, number>;
const keyOf = (where: string, option: string): string => `${where}\u0000${option}`;

function childWhere(where: string, slot: string): string {
  return where ? `${where}.${slot}` : slot;
}

/** Every child spec with its path, as resolveModel names paths. */
function childrenOf(spec: ModelSpec, where: string): [string, ModelSpec][] {
  return Object.entries(spec.children ?? {}).flatMap(([slot, child]) =>
    Array.isArray(child) ? child.map((item, i) => [childWhere(childWhere(where, slot), String(i)), item] as [string, ModelSpec]) : [[childWhere(where, slot), child as ModelSpec] as [string, ModelSpec]],
  );
}

function collectUnknowns(registry: Registry, spec: ModelSpec, where: string, out: Unknown[]): void {
  const plugin = registry.lookup(spec.kind, where || 'model');
  for (const [option, field] of Object.entries(plugin.config.fields)) {
    const value = spec.config?.[option];
    const required = value === undefined && field.default === undefined && !field.optional;
    if (value !== AUTO && !required) continue;
    const sentinel = SENTINEL_BASE + 1_000 * out.length;
    if (!field.parse(sentinel).ok || field.parse(sentinel + 0.5).ok) {
      if (required) continue; // not a size: the plugin's own validation names it
      throw new ConfigError(`option ${JSON.stringify(option)} cannot be "auto"`, { where: `${where || 'model'} (${plugin.kind})`, expected: field.expects, got: '"auto"', fix: 'only sizes (integer options) can be filled from the data; give a value' });
    }
    out.push({ where, option, sentinel });
  }
  for (const [at, child] of childrenOf(spec, where)) collectUnknowns(registry, child, at, out);
}

/** The spec with each unknown set to its value in `values`, or to its sentinel. */
function assign(spec: ModelSpec, unknowns: readonly Unknown[], values: Values, where = ''): ModelSpec {
  const mine = unknowns.filter((u) => u.where === where);
  const config = mine.length ? { ...spec.config, ...Object.fromEntries(mine.map((u) => [u.option, values.get(keyOf(u.where, u.option)) ?? u.sentinel])) } : spec.config;
  const children = spec.children
    ? Object.fromEntries(
        Object.entries(spec.children).map(([slot, child]) => [
          slot,
          Array.isArray(child) ? child.map((item, i) => assign(item, unknowns, values, childWhere(childWhere(where, slot), String(i)))) : assign(child as ModelSpec, unknowns, values, childWhere(where, slot)),
        ]),
      )
    : undefined;
  return { ...spec, ...(config ? { config } : {}), ...(children ? { children } : {}) };
}

/** A view of the registry whose plugins skip their cross-child checks, so a spec with sentinels resolves. */
function uncheckedRegistry(registry: Registry): Registry {
  const lookup = (kind: string, where?: string): Plugin => {
    const plugin = registry.lookup(kind, where);
    return Object.freeze({ ...plugin, familySpec: Object.freeze({ ...plugin.familySpec, checkChildren: undefined }) });
  };
  return { ...registry, lookup } as Registry;
}

function nodesOf(node: ResolvedNode): ResolvedNode[] {
  const children = Object.values(node.children).flatMap((child) => (Array.isArray(child) ? (child as ResolvedNode[]) : [child as ResolvedNode]));
  return [...children.flatMap(nodesOf), node];
}

/** Runs one node's own cross-child check; the error, or undefined when it holds. */
function checkOf(registry: Registry, node: ResolvedNode): Error | undefined {
  const plugin = registry.lookup(node.plugin.kind);
  try {
    plugin.familySpec.checkChildren?.(plugin, node);
    return undefined;
  } catch (error) {
    if (isUnfoldError(error)) return error as Error;
    throw error;
  }
}

/** Sizes the parts of a subtree declare (inputs and outputs of every part), sentinels left out. */
function declaredSizes(node: ResolvedNode): number[] {
  const sizes = new Set<number>();
  for (const part of nodesOf(node)) {
    const plugin = part.plugin;
    const read = (f: () => number) => {
      try {
        const size = f();
        if (Number.isSafeInteger(size) && size > 0 && !isSentinel(size)) sizes.add(size);
      } catch {
        // a part that cannot say its size yet offers none
      }
    };
    if (isMap(plugin)) {
      read(() => (plugin as HeadPlugin).inputSize(part.config));
      read(() => (plugin as HeadPlugin).outputSize(part.config));
    } else if (isRecurrence(plugin) || isSequenceLayer(plugin)) {
      read(() => inputSpecOf(part).size);
      read(() => outputSizeOf(part));
    }
  }
  return [...sizes].sort((a, b) => a - b);
}

function* combinations<T>(items: readonly T[], k: number, from = 0): Generator<T[]> {
  if (k === 0) {
    yield [];
    return;
  }
  for (let i = from; i <= items.length - k; i++) for (const rest of combinations(items, k - 1, i + 1)) yield [items[i] as T, ...rest];
}

function* tuples(values: readonly number[], k: number): Generator<number[]> {
  if (k === 0) {
    yield [];
    return;
  }
  for (const value of values) for (const rest of tuples(values, k - 1)) yield [value, ...rest];
}

const describeUnknown = (u: Unknown): string => `${u.where || 'model'}.config.${u.option}`;

function withoutSentinels(message: string, unknowns: readonly Unknown[]): string {
  return unknowns.reduce((text, u) => text.replaceAll(String(u.sentinel), '"auto"'), message);
}

/** Sets the fewest open unknowns under `node` so that its check passes; throws when none or several ways do. */
function solveCheck(registry: Registry, spec: ModelSpec, unknowns: readonly Unknown[], values: Map<string, number>, node: ResolvedNode, failure: Error): void {
  const unchecked = uncheckedRegistry(registry);
  const open = unknowns.filter((u) => !values.has(keyOf(u.where, u.option)) && (node.path === '' || u.where === node.path || u.where.startsWith(`${node.path}.`)));
  const candidates = declaredSizes(node);
  for (let k = 1; k <= Math.min(3, open.length); k++) {
    const solutions: Map<string, number>[] = [];
    for (const chosen of combinations(open, k)) {
      for (const tuple of tuples(candidates, k)) {
        const trial = new Map(values);
        chosen.forEach((u, i) => trial.set(keyOf(u.where, u.option), tuple[i] as number));
        let root: ResolvedNode;
        try {
          root = resolveModel(unchecked, assign(spec, unknowns, trial));
        } catch {
          continue;
        }
        const again = nodesOf(root).find((n) => n.path === node.path);
        if (again && !checkOf(registry, again)) solutions.push(new Map(chosen.map((u, i) => [keyOf(u.where, u.option), tuple[i] as number])));
      }
    }
    if (solutions.length === 0) continue;
    const first = solutions[0] as Map<string, number>;
    const same = solutions.every((s) => s.size === first.size && [...s].every(([key, value]) => first.get(key) === value));
    if (!same) {
      throw new ConfigError('the "auto" sizes are ambiguous', { where: node.path || 'model', expected: 'one way to fill them', got: `${solutions.length} ways for ${open.map(describeUnknown).join(', ')}`, fix: 'give one of these sizes a value' });
    }
    for (const [key, value] of first) values.set(key, value);
    return;
  }
  throw new ConfigError(`cannot fill the "auto" sizes: ${withoutSentinels(failure.message, unknowns)}`, { where: node.path || 'model', fix: `give ${open.map(describeUnknown).join(', ') || 'the sizes'} a value` });
}

/** The spec's readout and input kind, before its sizes are known (sentinels for the unknowns). */
/** What a spec reads and emits before its sizes are known; `decoder`: it takes decoder inputs (a seq2seq model, trained on pairs). */
export function probeSpec(registry: Registry, spec: ModelSpec): { readonly readout: 'sequence' | 'last'; readonly input: 'features' | 'tokens'; readonly decoder: boolean } {
  const unknowns: Unknown[] = [];
  collectUnknowns(registry, spec, '', unknowns);
  const root = resolveModel(uncheckedRegistry(registry), assign(spec, unknowns, new Map()));
  return { readout: semanticsOf(root).readout === 'sequence' ? 'sequence' : 'last', input: inputSpecOf(root).kind, decoder: portsOf(root).inputs.some((port) => port.name === DECODER_INPUT_PORT) };
}

/** Fills the data-dependent sizes (see the module comment) and checks the model fits the data. */
export function fillDataSizes(registry: Registry, spec: ModelSpec, data: DataSizes): { readonly spec: ModelSpec; readonly filled: readonly FilledOption[] } {
  const unknowns: Unknown[] = [];
  collectUnknowns(registry, spec, '', unknowns);
  const values = new Map<string, number>();
  const unchecked = uncheckedRegistry(registry);
  const bySentinel = (size: number) => unknowns.find((u) => u.sentinel === size && !values.has(keyOf(u.where, u.option)));
  for (let round = 0; round < 4 * unknowns.length + 2; round++) {
    const root = resolveModel(unchecked, assign(spec, unknowns, values));
    const input = bySentinel(inputSpecOf(root).size);
    const output = bySentinel(outputSizeOf(root));
    if (input) values.set(keyOf(input.where, input.option), data.input.size);
    if (output) values.set(keyOf(output.where, output.option), data.output.size);
    if (input || output) continue;
    const failing = nodesOf(root)
      .map((node) => ({ node, error: checkOf(registry, node) }))
      .find((n) => n.error);
    if (!failing) break;
    solveCheck(registry, spec, unknowns, values, failing.node, failing.error as Error);
  }
  const open = unknowns.filter((u) => !values.has(keyOf(u.where, u.option)));
  if (open.length) {
    throw new ConfigError('a size cannot be filled from the data', { where: describeUnknown(open[0] as Unknown), expected: 'an input, output or vocabulary size, or one another part of the spec fixes', got: '"auto"', fix: `give ${open.map(describeUnknown).join(', ')} a value` });
  }
  const filledSpec = assign(spec, unknowns, values);
  const root = resolveModel(registry, filledSpec);
  checkFits(root, data);
  return { spec: filledSpec, filled: unknowns.map((u) => ({ where: u.where || 'model', option: u.option, value: values.get(keyOf(u.where, u.option)) as number })) };
}

/** The model reads and emits what the data holds: features equal, ids and classes within the model's range. */
function checkFits(root: ResolvedNode, data: DataSizes): void {
  const input = inputSpecOf(root);
  const output = outputSizeOf(root);
  if (input.kind !== data.input.kind) {
    throw new ConfigError(`the model reads ${input.kind === 'tokens' ? 'token ids' : 'feature vectors'}, the data holds ${data.input.kind === 'tokens' ? 'token ids or text' : 'feature vectors'}`, { where: 'model', expected: `a model whose first part reads ${data.input.kind}`, got: `one that reads ${input.kind}`, fix: data.input.kind === 'tokens' ? 'start the model with an embedding input head' : 'remove the embedding input head, or give token ids' });
  }
  const exact = data.input.kind === 'features';
  if (exact ? input.size !== data.input.size : input.size < data.input.size) {
    const what = exact ? 'features per step' : 'token ids';
    throw new ConfigError(`the model reads ${input.size} ${what}, the data needs ${exact ? '' : 'at least '}${data.input.size}`, { where: 'model', expected: `input size ${data.input.size}`, got: String(input.size), fix: 'set the input size to "auto" (filled from the data) or to the data’s size' });
  }
  if (data.output.kind === 'values' ? output !== data.output.size : output < data.output.size) {
    const what = data.output.kind === 'values' ? `${data.output.size} values per target` : `${data.output.size} classes (largest label + 1)`;
    throw new ConfigError(`the model emits ${output} outputs, the data has ${what}`, { where: 'model', expected: `output size ${data.output.kind === 'values' ? '' : '>= '}${data.output.size}`, got: String(output), fix: 'set the output size to "auto" (filled from the data) or to the data’s size' });
  }
}
