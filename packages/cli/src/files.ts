import { readFile, stat } from 'node:fs/promises';
import { UsageError } from './usage-error';

/** Reads a file named on the command line; a missing or unreadable file is a usage error with the fix. */
export async function readInputFile(path: string | undefined, what: string, command: string): Promise<Uint8Array> {
  if (!path) throw new UsageError(`missing ${what}`, `run unfold ${command} <${what}> (see unfold ${command} --help)`);
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new UsageError(`${path} is not a file`, `pass the path of a ${what}`);
    return new Uint8Array(await readFile(path));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, `check the path of the ${what}`);
  }
}

/** What a model file is, from its first bytes: an unfold checkpoint (safetensors), ONNX protobuf, or unknown. */
export function fileKind(bytes: Uint8Array): 'checkpoint' | 'onnx' | 'unknown' {
  const head = new TextDecoder().decode(bytes.subarray(8, 34));
  if (head.startsWith('{"__metadata__":{"crc32":"')) return 'checkpoint';
  // ONNX ModelProto starts with field 1 (ir_version, varint): tag byte 0x08.
  if (bytes[0] === 0x08) return 'onnx';
  return 'unknown';
}

/**
 * True when a JSON-lines data file's first record is an object with every one of `keys` (which `unfold
 * train` path it takes: tree records, seq2seq pairs); false for CSV, or a first line that is not JSON
 * (the records reader then reports it with file:line).
 */
export async function firstRecordHas(path: string, keys: readonly string[]): Promise<boolean> {
  if (path.toLowerCase().endsWith('.csv')) return false;
  const text = new TextDecoder().decode(await readInputFile(path, 'data file', 'train'));
  const first = text.split(/\r?\n/).find((line) => line.trim() !== '');
  try {
    const value = JSON.parse(first ?? '') as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) && keys.every((key) => key in value);
  } catch {
    return false;
  }
}
