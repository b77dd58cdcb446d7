import { RegistryError } from './errors';
import type { ChildSlot, ParamSpec, Plugin, ResolvedNode } from './plugins';

/**
 * A family: a kind of plugin, described once. Core's resolution, the registry, checkpoints and the exporter
 * read this description instead of switching on family names, so a new family (attention, a tree cell, a
 * memory) is a `defineFamily(...)` in its own package, not an edit of core.
 *
 * The `role` says how generic code can run a plugin of the family on its own:
 *
 *   recurrence  one step of a recurrence, run over time by the time loop; the CellPlugin contract
 *               (`inputSize`, `outputSize`, `state`, `step`, optional `sequence`, `onnx`, `onnxStep`)
 *   sequence    owns its loop over a whole sequence; the LayerPlugin contract (`forward`, ports, `onnx`)
 *   map         a per-position map; the HeadPlugin contract (`apply`, `onnx`)
 *   loss        a reduction to a scalar; the LossPlugin contract (`compute`)
 *   component   used only by a parent that knows its family's own contract (an attention scorer inside a
 *               decoder, a tree cell inside a tree layer); generic code resolves, initialises, saves and
 *               exports it as part of that parent
 *
 * Roles are the contracts the engine knows how to execute; families are open.
 */
export type FamilyRole = 'recurrence' | 'sequence' | 'map' | 'loss' | 'component';

export interface Family<F extends string = string> {
  readonly name: F;
  /** One line for errors and docs: "one step of a recurrence". */
  readonly summary: string;
  readonly role: FamilyRole;
  /** Function members every plugin of the family must have. */
  readonly required: readonly string[];
  /** ONNX mapping members of which a plugin needs one to be exported; empty when the family is never exported. */
  readonly exportedBy: readonly string[];
  /** The child slots of a plugin (composite families); none when absent. */
  children?(plugin: Plugin, config: unknown): readonly ChildSlot[];
  /** Cross-child checks after the children resolved. */
  checkChildren?(plugin: Plugin, node: ResolvedNode): void;
  /** The parameters a node of this family declares itself (not its children's). */
  parameters(plugin: Plugin, node: ResolvedNode): readonly ParamSpec[];
}

/** Plugin kinds: `lstm`, `leaky-rnn`, or scoped for third parties: `acme/my-cell`. */
const KIND_PATTERN = /^(?:@?[a-z0-9][a-z0-9._-]*\/)?[a-z][a-z0-9-]*$/;
const ROLES: readonly FamilyRole[] = ['recurrence', 'sequence', 'map', 'loss', 'component'];

/** What a family's `define` takes: the plugin without `family`, `familySpec` and `validate`, plus `check`. */
export type PluginDefinition<P extends Plugin> = Omit<P, 'family' | 'familySpec' | 'validate'> & {
  /** Cross-option checks after the schema (e.g. "hiddenSize must be divisible by heads"). */
  check?(config: P extends { config: { validate(raw: unknown, where: string): infer C } } ? C : never, where: string): void;
};

export interface FamilyDefinition<F extends string> extends Omit<Family<F>, 'parameters'> {
  /** Default: the plugin's `parameters(config)` when it has one, else none. */
  parameters?(plugin: Plugin, node: ResolvedNode): readonly ParamSpec[];
}

/** A family plus the function that defines plugins of it. */
export interface FamilyKit<F extends string> extends Family<F> {
  define<P extends Plugin<F>>(definition: PluginDefinition<P>): P;
}

function ownParametersByConfig(plugin: Plugin, node: ResolvedNode): readonly ParamSpec[] {
  const parameters = (plugin as { parameters?: (config: unknown) => readonly ParamSpec[] }).parameters;
  return typeof parameters === 'function' ? parameters(node.config) : [];
}

/**
 * Describes a family. `define` then checks every plugin of it (kind, meta, schema, required members) and
 * freezes it. Family names follow the kind pattern (`attention`, `acme/tree-cell`).
 */
export function defineFamily<const F extends string>(definition: FamilyDefinition<F>): FamilyKit<F> {
  const where = `defineFamily(${JSON.stringify(definition.name)})`;
  if (typeof definition.name !== 'string' || !KIND_PATTERN.test(definition.name)) {
    throw new RegistryError('invalid family name', { where, expected: 'lower-case kebab-case, optionally scoped: "attention", "acme/tree-cell"', got: JSON.stringify(definition.name) });
  }
  if (!ROLES.includes(definition.role)) {
    throw new RegistryError('invalid family role', { where, expected: ROLES.join(', '), got: JSON.stringify(definition.role), fix: 'use "component" for plugins only a parent of your own runs' });
  }
  const family: Family<F> = Object.freeze({ ...definition, required: Object.freeze([...definition.required]), exportedBy: Object.freeze([...definition.exportedBy]), parameters: definition.parameters ?? ownParametersByConfig });
  const define = <P extends Plugin<F>>(plugin: PluginDefinition<P>): P => finishPlugin(family, plugin);
  return Object.freeze({ ...family, define });
}

function finishPlugin<F extends string, P extends Plugin<F>>(family: Family<F>, definition: PluginDefinition<P>): P {
  const name = family.name;
  const where = `${name} ${JSON.stringify((definition as { kind?: unknown }).kind)}`;
  const { kind, meta, schemaVersion, config } = definition as unknown as Plugin;
  if (typeof kind !== 'string' || !KIND_PATTERN.test(kind)) {
    throw new RegistryError('invalid plugin kind', { where, expected: 'lower-case kebab-case, optionally scoped: "lstm", "acme/my-cell"', got: JSON.stringify(kind) });
  }
  if (!meta || typeof meta.package !== 'string' || !meta.package || typeof meta.version !== 'string' || !meta.version) {
    throw new RegistryError('plugin meta is missing', { where, expected: 'meta: { package: "<npm name>", version: "<semver>" }', got: JSON.stringify(meta), fix: 'name the package that ships the plugin and its version' });
  }
  if (!Number.isSafeInteger(schemaVersion) || schemaVersion < 1) {
    throw new RegistryError('invalid schemaVersion', { where, expected: 'an integer >= 1', got: String(schemaVersion) });
  }
  if (!config || typeof config.validate !== 'function') {
    throw new RegistryError('plugin has no config schema', { where, expected: 'config: defineConfig({...})', got: typeof config, fix: 'declare the options with defineConfig (use defineConfig({}) for none)' });
  }
  const record = definition as unknown as Record<string, unknown>;
  for (const method of family.required) {
    if (typeof record[method] !== 'function') {
      throw new RegistryError(`plugin is missing ${method}()`, { where, expected: `a ${name} with ${family.required.join(', ')}`, got: `no ${method}` });
    }
  }
  const check = definition.check as ((config: unknown, where: string) => void) | undefined;
  const validate = (raw: unknown, at = kind): unknown => {
    const valid = config.validate(raw, at);
    check?.(valid, at);
    return valid;
  };
  return Object.freeze({ ...definition, family: name, familySpec: family, validate }) as unknown as P;
}
