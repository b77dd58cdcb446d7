import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Writes an exported file to $UNFOLD_ONNX_EXPORT_DIR when set, so CI can run the Python ONNX checker
 * (tools/onnx-check/check.py) over every model the tests made. Does nothing otherwise.
 */
export async function writeForChecker(name: string, bytes: Uint8Array): Promise<void> {
  const folder = process.env.UNFOLD_ONNX_EXPORT_DIR;
  if (!folder) return;
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, `${name}.onnx`), bytes);
}
