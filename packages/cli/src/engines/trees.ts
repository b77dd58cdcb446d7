import { basename } from 'node:path';
import type { EngineName } from '@unfold/edge/node';
import type { UnfoldModel } from '@unfold/runtime';
import { UsageError } from '../usage-error';
import { engineRuntime } from './engine-runtime';
import { COMMAND_LINE_LIMITS } from './onnxruntime';

/**
 * `unfold run <tree model> --trees trees.json`: the runtime's tree predict on an ONNX engine, as the
 * edge answers `POST /models/:name/predict`. The file holds `{"trees": [...], "nodes"?: true}` or just the
 * list of trees (JSON trees, bracketed strings or indexed trees); the answer is the runtime's JSON.
 */
export function treeRequest(text: string, path: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path} is not valid JSON: ${(error as Error).message}`, 'write {"trees": ["(+ 1 2)", …]} or a list of trees');
  }
  return Array.isArray(value) ? { trees: value } : value;
}

export async function predictTrees(bytes: Uint8Array, request: unknown, path: string, engine: EngineName = 'ort-node'): Promise<Readonly<Record<string, unknown>>> {
  const runtime = await engineRuntime(engine);
  const model = await runtime.load(bytes, { name: basename(path) });
  try {
    if (model.format !== 'unfold' || !model.describe().tree) throw new UsageError(`${path} is not a tree model`, 'pass --trees only with a model exported from a recursive (tree) spec; use --inputs otherwise');
    return await (model as UnfoldModel).run('predict', request, { limits: COMMAND_LINE_LIMITS });
  } finally {
    await model.release();
  }
}
