/**
 * JSON parsing with a nesting-depth limit, for every text unfold reads from a file or a request
 * (checkpoint headers and metadata, ONNX metadata, request bodies, `--inputs` files).
 *
 * `JSON.parse` itself copes with deep nesting, but everything that walks the value afterwards (spec
 * resolution, `JSON.stringify`, the request checks) recurses, and an array nested 10⁵ deep overflows the
 * stack there as an untyped RangeError. So the text's depth is measured first by one iterative scan that
 * stops as soon as the limit is passed (a body nested 500,000 deep costs a few hundred characters of
 * scanning, not a parse), and only a text within the limit is parsed.
 *
 * The result is a value, not an exception: each caller turns a failure into its own typed error
 * (SerializationError, RuntimeError E_MODEL / E_JSON, a usage error) naming the file or field.
 * Depth counts open brackets: `1` is depth 0, `[1]` depth 1, `{"a":[1]}` depth 2.
 */
export const DEFAULT_MAX_JSON_DEPTH = 256;

export type JsonParseResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: 'depth' | 'syntax'; readonly message: string };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;

export interface JsonScan {
  /** The deepest bracket nesting seen (brackets inside strings ignored). */
  readonly depth: number;
  /** Members of the outermost object or array: its commas + 1 (0 only for a text without one). */
  readonly members: number;
}

type Text = string | Uint8Array;
const codeAt = (text: Text, i: number): number => (typeof text === 'string' ? text.charCodeAt(i) : (text[i] as number));

/**
 * The nesting depth and the outermost container's member count of a JSON text (a string, or its UTF-8
 * bytes: the structural characters are ASCII, which never occur inside a multi-byte sequence), stopping as
 * soon as the depth passes `stop.depth` or the members pass `stop.members`. Iterative and linear; the
 * text need not be valid JSON, so a count is an upper bound for a broken one.
 */
export function scanJson(text: Text, stop: { readonly depth?: number; readonly members?: number } = {}): JsonScan {
  const maxDepth = stop.depth ?? Number.MAX_SAFE_INTEGER;
  const maxMembers = stop.members ?? Number.MAX_SAFE_INTEGER;
  let depth = 0;
  let deepest = 0;
  let commas = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = codeAt(text, i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > maxDepth) break;
      }
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
    else if (c === COMMA && depth === 1 && ++commas + 1 > maxMembers) break;
  }
  return { depth: deepest, members: deepest === 0 ? 0 : commas + 1 };
}

/** The deepest bracket nesting in `text`, or a value above `stopAbove` as soon as the scan passes it. */
export function jsonNestingDepth(text: Text, stopAbove = Number.MAX_SAFE_INTEGER): number {
  return scanJson(text, { depth: stopAbove }).depth;
}

/** Parses `text` when it nests at most `maxDepth` levels; otherwise says why not, in a short message. */
export function parseJsonLimited(text: string, maxDepth = DEFAULT_MAX_JSON_DEPTH): JsonParseResult {
  if (jsonNestingDepth(text, maxDepth) > maxDepth) return { ok: false, reason: 'depth', message: `JSON nested more than ${maxDepth} levels deep` };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, reason: 'syntax', message: error instanceof Error ? error.message.slice(0, 160) : 'not JSON' };
  }
}
