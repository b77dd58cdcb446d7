import { DEFAULT_MAX_JSON_DEPTH, parseJsonLimited } from '@unfold/core/json';
import { RuntimeError } from '../errors';

/** unfold.* metadata values nest at most this deep (a spec, a tokenizer): deeper is a crafted file. */
const MAX_METADATA_DEPTH = DEFAULT_MAX_JSON_DEPTH;

/**
 * Reading unfold's `metadata_props` values: JSON objects, checked field by field. Every problem is an
 * E_MODEL naming the key, because a file whose metadata is broken cannot be served as an unfold model.
 */
export function badMetadata(where: string, what: string, got: string): RuntimeError {
  return new RuntimeError('E_MODEL', what, { where, expected: 'the metadata @unfold/onnx writes', got, fix: 'export the model again with @unfold/onnx, or serve it as a plain ONNX model (remove the unfold.* metadata)' });
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function positiveInt(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : null;
}

/** A short rendering of a metadata value for an error message. */
export function shortJson(value: unknown): string {
  return JSON.stringify(value)?.slice(0, 80) ?? 'undefined';
}

/** The JSON object under `key`; `fallback` when the key is absent (undefined: the key is required). */
export function parseJson(metadata: Readonly<Record<string, string>>, key: string, where: string, fallback?: Record<string, unknown>): Record<string, unknown> {
  const text = metadata[key];
  if (text === undefined) {
    if (fallback) return fallback;
    throw badMetadata(`${where}: ${key}`, `metadata ${key} is missing`, 'no such entry');
  }
  const parsed = parseJsonLimited(text, MAX_METADATA_DEPTH);
  if (!parsed.ok) throw badMetadata(`${where}: ${key}`, parsed.reason === 'depth' ? `metadata ${key} is nested too deeply` : `metadata ${key} is not JSON`, parsed.reason === 'depth' ? parsed.message : text.slice(0, 60));
  const value = parsed.value;
  if (!isObject(value)) throw badMetadata(`${where}: ${key}`, `metadata ${key} is not a JSON object`, text.slice(0, 60));
  return value;
}

export function stringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}
