import { ConfigError } from './errors';

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * A model is data: this JSON spec plus named float32 weights.
 *
 * `children` names the sub-components a plugin composes (`cell`, `forward`, `layers`); a list child
 * gives parameter paths with indices (`layers.0.cell.W`). `metadata` is free-form and travels with the
 * model into checkpoints and ONNX files (vocabulary, normalisation constants, descriptions).
 */
export interface ModelSpec {
  readonly kind: string;
  readonly config?: { readonly [key: string]: JsonValue };
  readonly children?: { readonly [slot: string]: ModelSpec | readonly ModelSpec[] };
  readonly metadata?: { readonly [key: string]: JsonValue };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkJson(value: unknown, where: string): void {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new ConfigError('non-finite number in spec', { where, expected: 'a finite number', got: String(value), fix: 'JSON cannot hold NaN or Infinity; use a finite value' });
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkJson(item, `${where}[${i}]`));
    return;
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) checkJson(item, `${where}.${key}`);
    return;
  }
  throw new ConfigError('value is not JSON', { where, expected: 'null, boolean, number, string, array or plain object', got: typeof value });
}

/** Checks that `value` has the ModelSpec shape and holds only JSON; returns it typed. */
export function parseModelSpec(value: unknown, where = 'spec'): ModelSpec {
  if (!isPlainObject(value)) {
    throw new ConfigError('model spec must be an object', { where, expected: '{ kind, config?, children?, metadata? }', got: Array.isArray(value) ? 'an array' : String(value) });
  }
  const allowed = new Set(['kind', 'config', 'children', 'metadata']);
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) {
      throw new ConfigError(`unknown spec field ${JSON.stringify(key)}`, { where, expected: 'kind, config, children or metadata', got: key, fix: 'put plugin options under "config" and free-form data under "metadata"' });
    }
  }
  if (typeof value.kind !== 'string' || value.kind.length === 0) {
    throw new ConfigError('spec has no kind', { where, expected: 'a non-empty string kind such as "lstm"', got: JSON.stringify(value.kind) });
  }
  if (value.config !== undefined) {
    if (!isPlainObject(value.config)) throw new ConfigError('spec config must be an object', { where: `${where}.config`, expected: 'an object', got: JSON.stringify(value.config) });
    checkJson(value.config, `${where}.config`);
  }
  if (value.metadata !== undefined) {
    if (!isPlainObject(value.metadata)) throw new ConfigError('spec metadata must be an object', { where: `${where}.metadata`, expected: 'an object', got: JSON.stringify(value.metadata) });
    checkJson(value.metadata, `${where}.metadata`);
  }
  if (value.children !== undefined) {
    if (!isPlainObject(value.children)) throw new ConfigError('spec children must be an object of named slots', { where: `${where}.children`, expected: '{ slot: spec | spec[] }', got: JSON.stringify(value.children) });
    for (const [slot, child] of Object.entries(value.children)) {
      if (Array.isArray(child)) child.forEach((item, i) => parseModelSpec(item, `${where}.${slot}.${i}`));
      else parseModelSpec(child, `${where}.${slot}`);
    }
  }
  return value as unknown as ModelSpec;
}
