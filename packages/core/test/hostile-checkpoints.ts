import { crc32 } from '../src/index';

/**
 * Checkpoints written by hand from the documented layout (checkpoint.ts, safetensors.ts), for the
 * hostile-file tests here and in the CLI: names and headers the encoder would never write can be
 * crafted, and the crc32 is valid, so the reader's other checks are what refuse them.
 */
export type Entry = { readonly shape: readonly number[]; readonly data: Float32Array };

/** `tensors` are [name, tensor] pairs in file order; the header's JSON is assembled as text (`extraHeader` appended inside it). */
export function craftCheckpoint(metadata: Record<string, string>, tensors: readonly (readonly [string, Entry])[], extraHeader = ''): Uint8Array {
  const parts = [`"__metadata__":${JSON.stringify({ crc32: '00000000', ...metadata })}`];
  let offset = 0;
  for (const [name, tensor] of tensors) {
    const length = tensor.data.length * 4;
    parts.push(`${JSON.stringify(name)}:{"dtype":"F32","shape":${JSON.stringify(tensor.shape)},"data_offsets":[${offset},${offset + length}]}`);
    offset += length;
  }
  let header = `{${parts.join(',')}${extraHeader}}`;
  header += ' '.repeat((8 - ((8 + header.length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const [, tensor] of tensors) {
    out.set(new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength), position);
    position += tensor.data.byteLength;
  }
  out.set(new TextEncoder().encode(crc32(out).toString(16).padStart(8, '0')), 34);
  return out;
}

/** The text of a JSON array nested `depth` deep (JSON.stringify itself overflows on such values). */
export function deepArray(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/** The text of a spec whose children nest `depth` deep around `inner` (a spec's JSON). */
export function deepSpec(depth: number, inner: string, kind = 'x'): string {
  return `${`{"kind":${JSON.stringify(kind)},"children":{"cell":`.repeat(depth)}${inner}${'}}'.repeat(depth)}`;
}
