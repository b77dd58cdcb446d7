import { RuntimeError } from '../errors';

/**
 * A minimal protocol-buffers wire-format reader: enough to walk an ONNX ModelProto's fields without a
 * schema library. Every read is bounds-checked; a truncated or corrupt buffer throws E_MODEL.
 *
 * Wire types: 0 varint, 1 fixed64, 2 length-delimited (bytes, strings, sub-messages, packed arrays),
 * 5 fixed32. Groups (3, 4) are obsolete and rejected.
 */
export interface WireField {
  readonly number: number;
  readonly wireType: 0 | 1 | 2 | 5;
  /** Varint fields: the value (exact up to 2⁵³; ONNX dims and versions fit). */
  readonly varint: number;
  /**
   * Length-delimited fields: the bytes (a view, not a copy). Varint fields: the varint's own bytes, so a
   * signed int64 (a negative one is ten bytes) can be decoded exactly with `int64Of`.
   */
  readonly bytes: Uint8Array;
}

const utf8 = new TextDecoder('utf-8');

function corrupt(where: string, what: string): RuntimeError {
  return new RuntimeError('E_MODEL', 'the model bytes are not a valid ONNX protobuf', { where, got: what, fix: 'pass the bytes of an .onnx file (for example one written by `unfold export`)' });
}

/** Reads one varint at `offset`; returns the value and the next offset. Values above 2⁵³ lose precision. */
function readVarint(buffer: Uint8Array, offset: number, where: string): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (offset >= buffer.length) throw corrupt(where, 'a truncated varint');
    const byte = buffer[offset++] as number;
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return [value, offset];
    scale *= 128;
  }
  throw corrupt(where, 'a varint longer than 10 bytes');
}

/** The fields of one message, in order. Repeated fields appear once per element. */
export function readFields(buffer: Uint8Array, where: string): WireField[] {
  const fields: WireField[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const [key, afterKey] = readVarint(buffer, offset, where);
    offset = afterKey;
    const number = Math.floor(key / 8);
    const wireType = key % 8;
    if (number < 1) throw corrupt(where, `field number ${number}`);
    if (wireType === 0) {
      const [value, next] = readVarint(buffer, offset, where);
      fields.push({ number, wireType, varint: value, bytes: buffer.subarray(offset, next) });
      offset = next;
    } else if (wireType === 2) {
      const [length, start] = readVarint(buffer, offset, where);
      if (start + length > buffer.length) throw corrupt(where, `a field of ${length} bytes past the end of its message`);
      fields.push({ number, wireType, varint: 0, bytes: buffer.subarray(start, start + length) });
      offset = start + length;
    } else if (wireType === 1 || wireType === 5) {
      const size = wireType === 1 ? 8 : 4;
      if (offset + size > buffer.length) throw corrupt(where, 'a truncated fixed-size field');
      fields.push({ number, wireType, varint: 0, bytes: buffer.subarray(offset, offset + size) });
      offset += size;
    } else {
      throw corrupt(where, `wire type ${wireType}`);
    }
  }
  return fields;
}

export function fieldString(field: WireField): string {
  return utf8.decode(field.bytes);
}

/** The last occurrence of a singular field (protobuf's rule), or undefined. */
export function lastField(fields: readonly WireField[], number: number): WireField | undefined {
  for (let i = fields.length - 1; i >= 0; i--) if (fields[i]?.number === number) return fields[i];
  return undefined;
}

export function fieldsNumbered(fields: readonly WireField[], number: number): WireField[] {
  return fields.filter((f) => f.number === number);
}

/**
 * Varints as signed int64 values, exactly: one varint (a varint field's `bytes`) or a packed run of them.
 * Negative int64s are written as ten-byte two's-complement varints. Throws E_MODEL on a truncated run.
 */
export function int64sOf(bytes: Uint8Array, where: string): bigint[] {
  const values: bigint[] = [];
  let value = 0n;
  let shift = 0n;
  for (const byte of bytes) {
    value |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
    if ((byte & 0x80) === 0) {
      values.push(BigInt.asIntN(64, value));
      value = 0n;
      shift = 0n;
    }
  }
  if (shift !== 0n) throw corrupt(where, 'a truncated packed varint');
  return values;
}

/** A repeated int64 field (packed or not) as signed values, exactly. */
export function repeatedInt64(fields: readonly WireField[], number: number, where: string): bigint[] {
  const values: bigint[] = [];
  for (const field of fields) if (field.number === number && (field.wireType === 0 || field.wireType === 2)) values.push(...int64sOf(field.bytes, where));
  return values;
}
