import { createRuntime, type UnfoldModel } from '@unfold/runtime';

/** The largest |a − b| over two lists, and how many pairs are outside atol + rtol·|b| (a length mismatch counts). */
export function compareValues(a: readonly number[], b: readonly number[], atol: number, rtol: number): { worst: number; failures: number } {
  let worst = 0;
  let failures = Math.abs(a.length - b.length);
  b.forEach((expected, i) => {
    const diff = Math.abs((a[i] as number) - expected);
    worst = Number.isNaN(diff) ? Infinity : Math.max(worst, diff);
    if (!(diff <= atol + rtol * Math.abs(expected))) failures++;
  });
  return { worst, failures };
}

/**
 * An export that computes something else than the trained model: never expected (a bug in unfold, not in
 * the user's input), so the command reports it as an internal error, exit 1.
 */
export class ExportMismatchError extends Error {
  override readonly name = 'ExportMismatchError';
  constructor(what: string, detail: string) {
    super(`onnxruntime disagrees with unfold on ${what}: ${detail}`);
  }
}

/** Loads an exported single-entry file with @unfold/runtime on onnxruntime-node (what the server runs). */
export async function loadExport(bytes: Uint8Array, name: string): Promise<UnfoldModel> {
  const runtime = createRuntime(await import('onnxruntime-node'));
  return (await runtime.load(bytes, { name })) as UnfoldModel;
}
