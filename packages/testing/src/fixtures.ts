import { readdirSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { hostTensor, isUnfoldError, SerializationError, type HostTensor } from '@unfold/core';

/**
 * Golden fixtures: JSON files of reference values dumped by pinned generators (PyTorch, ONNX's
 * reference implementation; see tools/fixtures). A tensor is stored as `{ "shape": [...], "data": [...] }`
 * (row-major, exactly those two keys); `loadFixture` turns each such object, at any depth, into a
 * HostTensor with float32 data and leaves every other value as parsed. Integer tensors such as
 * `sequence_lens` load as float32 too (exact for |n| < 2^24).
 */
export type FixtureValue = HostTensor | string | number | boolean | null | readonly FixtureValue[] | { readonly [key: string]: FixtureValue };

/** A parsed fixture file: a JSON object whose tensors are HostTensors. */
export type FixtureFile = { readonly [key: string]: FixtureValue };

function isTensorForm(value: object): value is { shape: unknown; data: unknown } {
  const keys = Object.keys(value);
  return keys.length === 2 && keys.includes('shape') && keys.includes('data');
}

function convert(value: unknown, at: string, file: string): unknown {
  if (Array.isArray(value)) return value.map((item, i) => convert(item, `${at}[${i}]`, file));
  if (value === null || typeof value !== 'object') return value;
  if (isTensorForm(value)) return toTensor(value, at, file);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = convert(item, `${at}.${key}`, file);
  return out;
}

function toTensor(value: { shape: unknown; data: unknown }, at: string, file: string): HostTensor {
  const where = `${file} at ${at}`;
  const { shape, data } = value;
  if (!Array.isArray(shape) || !shape.every((dim) => typeof dim === 'number')) {
    throw new SerializationError('fixture tensor has an invalid shape', { where, expected: 'shape: a list of non-negative integers', got: JSON.stringify(shape), fix: 'regenerate the fixture with its pinned script' });
  }
  if (!Array.isArray(data)) {
    throw new SerializationError('fixture tensor has no data list', { where, expected: 'data: a flat row-major list of numbers', got: JSON.stringify(data)?.slice(0, 60) ?? String(data), fix: 'flatten the array (numpy: .reshape(-1).tolist())' });
  }
  const bad = data.findIndex((item) => typeof item !== 'number');
  if (bad >= 0) {
    throw new SerializationError('fixture tensor data holds a non-number', { where: `${where}.data[${bad}]`, expected: 'finite numbers only', got: JSON.stringify(data[bad]) ?? String(data[bad]), fix: 'store nested lists flattened, and never NaN or None' });
  }
  try {
    return hostTensor(shape as number[], Float32Array.from(data as number[]), where);
  } catch (cause) {
    const details = isUnfoldError(cause) ? cause.details : {};
    throw new SerializationError('fixture tensor does not match its shape', { where, expected: details.expected ?? 'data.length = product(shape)', got: details.got ?? String(cause), fix: 'regenerate the fixture with its pinned script' }, { cause });
  }
}

/**
 * Reads a JSON fixture and converts every `{ shape, data }` object (at any depth) to a HostTensor.
 * Throws a SerializationError (code E_SERIALIZATION) naming the file, and for a bad tensor the JSON path
 * (`$.inputs.X`), when the file is missing, is not JSON, or holds a malformed tensor.
 */
export function loadFixture<T = FixtureFile>(path: string): T {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new SerializationError('cannot read fixture', { where: file, expected: 'an existing, readable JSON file', got: (cause as Error).message, fix: 'check the path (fixtures are resolved against the working directory; build it from import.meta.url or __dirname)' }, { cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new SerializationError('fixture is not valid JSON', { where: file, expected: 'strict JSON (no NaN, Infinity or trailing commas)', got: (cause as Error).message, fix: 'regenerate the fixture with its pinned script' }, { cause });
  }
  return convert(parsed, '$', file) as T;
}

/** Sorted absolute paths of the `*.json` files directly in `dir`, optionally only names matching `filter`. */
export function listFixtures(dir: string, filter?: RegExp): string[] {
  const folder = resolve(dir);
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch (cause) {
    throw new SerializationError('cannot list fixtures', { where: folder, expected: 'an existing folder of *.json fixtures', got: (cause as Error).message, fix: 'check the path' }, { cause });
  }
  // A stateless copy: a /g or /y pattern would otherwise carry lastIndex from one name to the next.
  const matcher = filter === undefined ? undefined : new RegExp(filter.source, filter.flags.replace(/[gy]/g, ''));
  return names
    .filter((name) => name.endsWith('.json') && (matcher === undefined || matcher.test(basename(name))))
    .map((name) => resolve(folder, name))
    .sort();
}
