import { SerializationError } from './errors';
import { formatShape, shapeSize, type HostTensor } from './host-tensor';
import { parseJsonLimited, scanJson } from './json';

/**
 * The safetensors layout (huggingface/safetensors), float32 only:
 *
 *   [u64 little-endian N][N bytes UTF-8 JSON header, space-padded to 8-byte alignment][tensor bytes]
 *
 * The header maps each tensor name to { dtype: "F32", shape, data_offsets: [begin, end] } (offsets
 * relative to the start of the tensor bytes) and holds string metadata under "__metadata__".
 * Tensors are stored contiguously in name order; the file ends where the last tensor ends.
 */
export interface SafetensorsContents {
  readonly metadata: Readonly<Record<string, string>>;
  readonly tensors: Readonly<Record<string, HostTensor>>;
}

const MAX_HEADER_BYTES = 100 * 1024 * 1024;
/** Tensors one file may list: far above any model's parameter count, far below what would exhaust memory to build. */
export const MAX_TENSORS = 100_000;
/** `{ "name": { "shape": [..] } }` nests 3 deep; a header nested deeper is not a safetensors header. */
const HEADER_DEPTH = 4;

export function encodeSafetensors(contents: SafetensorsContents): Uint8Array {
  const names = Object.keys(contents.tensors).sort();
  const header: Record<string, unknown> = { __metadata__: contents.metadata };
  let offset = 0;
  for (const name of names) {
    const tensor = contents.tensors[name] as HostTensor;
    const bytes = tensor.data.length * 4;
    header[name] = { dtype: 'F32', shape: tensor.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let headerText = JSON.stringify(header);
  const encoder = new TextEncoder();
  let headerBytes = encoder.encode(headerText);
  const padding = (8 - ((8 + headerBytes.length) % 8)) % 8;
  if (padding) {
    headerText += ' '.repeat(padding);
    headerBytes = encoder.encode(headerText);
  }
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const name of names) {
    const data = (contents.tensors[name] as HostTensor).data;
    for (let i = 0; i < data.length; i++, position += 4) view.setFloat32(position, data[i] as number, true);
  }
  return out;
}

/** Where the header text sits in an encoded file (for checksums computed over the file). */
export function headerRange(bytes: Uint8Array, where: string): { start: number; end: number } {
  if (bytes.length < 8) {
    throw new SerializationError('file is truncated', { where, expected: 'at least the 8-byte header length', got: `${bytes.length} bytes`, fix: 'the file was cut short; restore it from its source or save it again' });
  }
  const declared = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (declared > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8))) {
    throw new SerializationError('header length is out of range', {
      where,
      expected: `a header of at most ${Math.min(MAX_HEADER_BYTES, bytes.length - 8)} bytes`,
      got: `${declared} bytes declared`,
      fix: 'the file is truncated, corrupt, or not a safetensors checkpoint',
    });
  }
  return { start: 8, end: 8 + Number(declared) };
}

function fail(summary: string, where: string, expected: string, got: string): never {
  throw new SerializationError(summary, { where, expected, got, fix: 'the file is corrupt or not a safetensors checkpoint; restore it or save it again' });
}

/**
 * The header's JSON, bounded before it is decoded: at most MAX_TENSORS entries and HEADER_DEPTH levels of
 * nesting, counted on the bytes (a header listing millions of tensors is rejected in one linear scan, not
 * after building them all).
 */
function parseHeader(bytes: Uint8Array, where: string): unknown {
  const scan = scanJson(bytes, { depth: HEADER_DEPTH, members: MAX_TENSORS + 1 });
  if (scan.depth > HEADER_DEPTH) fail('header is nested too deeply', where, `a header at most ${HEADER_DEPTH} levels deep`, `more than ${HEADER_DEPTH} levels`);
  if (scan.members > MAX_TENSORS + 1) fail('header lists too many tensors', where, `at most ${MAX_TENSORS} tensors`, `more than ${MAX_TENSORS}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new SerializationError('header is not UTF-8', { where, expected: 'a UTF-8 JSON header', got: `${bytes.length} bytes`, fix: 'the file is corrupt or not a safetensors checkpoint' }, { cause });
  }
  const parsed = parseJsonLimited(text, HEADER_DEPTH);
  if (!parsed.ok) fail('header is not valid JSON', where, 'a UTF-8 JSON header', parsed.message);
  return parsed.value;
}

export function decodeSafetensors(bytes: Uint8Array, where = 'safetensors'): SafetensorsContents {
  const { start, end } = headerRange(bytes, where);
  const header = parseHeader(bytes.subarray(start, end), where);
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not an object', where, 'a JSON object', typeof header);
  const { __metadata__: rawMetadata = {}, ...entries } = header as Record<string, unknown>;
  if (typeof rawMetadata !== 'object' || rawMetadata === null || Array.isArray(rawMetadata) || !Object.values(rawMetadata).every((v) => typeof v === 'string')) {
    fail('__metadata__ is not a string map', where, 'an object of strings', JSON.stringify(rawMetadata).slice(0, 80));
  }
  const dataStart = end;
  const dataLength = bytes.length - dataStart;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Null-prototype maps: a tensor named `__proto__` is an own key like any other, never the map's prototype.
  const tensors: Record<string, HostTensor> = Object.create(null) as Record<string, HostTensor>;
  let covered = 0;
  const ranges: Array<[number, number, string]> = [];
  for (const [name, entry] of Object.entries(entries)) {
    const at = `${where}: tensor ${JSON.stringify(name)}`;
    const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (dtype !== 'F32') fail('unsupported dtype', at, '"F32"', JSON.stringify(dtype));
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail('invalid shape', at, 'a list of non-negative integers', JSON.stringify(shape));
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) fail('invalid data_offsets', at, '[begin, end]', JSON.stringify(offsets));
    const [begin, finish] = offsets as [number, number];
    const size = shapeSize(shape as number[]);
    if (finish - begin !== size * 4 || begin % 4 !== 0) fail('data_offsets do not match the shape', at, `${size * 4} bytes for ${formatShape(shape as number[])}`, `[${begin}, ${finish}]`);
    if (finish > dataLength) {
      throw new SerializationError('file is truncated', { where: at, expected: `tensor bytes up to ${finish}`, got: `${dataLength} bytes of tensor data`, fix: 'the file was cut short; restore it or save it again' });
    }
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = view.getFloat32(dataStart + begin + i * 4, true);
    tensors[name] = Object.freeze({ shape: Object.freeze([...(shape as number[])]), data });
    if (finish > begin) ranges.push([begin, finish, name]); // zero-size tensors occupy no bytes: they overlap nothing
    covered += finish - begin;
  }
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) {
    const previous = ranges[i - 1] as [number, number, string];
    const current = ranges[i] as [number, number, string];
    if (current[0] < previous[1]) fail('tensors overlap', `${where}: tensor ${JSON.stringify(current[2])}`, `data after byte ${previous[1]}`, `data from byte ${current[0]}`);
  }
  if (covered !== dataLength) fail('tensor data does not fill the file', where, `${covered} bytes of tensor data`, `${dataLength} bytes`);
  const metadata: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, rawMetadata);
  return { metadata: Object.freeze(metadata), tensors: Object.freeze(tensors) };
}
