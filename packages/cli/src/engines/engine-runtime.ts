import { openEngine, type EngineName } from '@unfold/edge/node';
import type { Runtime } from '@unfold/runtime';
import { UsageError } from '../usage-error';

/**
 * The engines `unfold run` takes besides `tfjs` (unfold's own forward pass): an ONNX engine by its
 * @unfold/edge name, and `ort`, the old name of `ort-node`.
 */
export const RUN_ENGINES = ['compact', 'ort-node', 'ort-web', 'auto', 'tfjs', 'ort'] as const;
export type RunEngine = (typeof RUN_ENGINES)[number];

/** The ONNX engine a `--engine` value names (`ort` is `ort-node`); `tfjs` is not one. */
export function onnxEngine(engine: RunEngine, what: string): EngineName {
  if (engine === 'tfjs') throw new UsageError(`${what} runs on an ONNX engine, not tfjs`, 'pass --engine compact, ort-node, ort-web or auto (or leave --engine out)');
  return engine === 'ort' ? 'ort-node' : engine;
}

/**
 * A runtime over the engine (only its library is loaded): the compact engine refuses a file outside its
 * set when it opens it, before any run, naming the node, the operator and the fix; `auto` runs such a file,
 * and any call above its threshold, on onnxruntime-node (docs/engines.md).
 */
export async function engineRuntime(engine: EngineName): Promise<Runtime> {
  return (await openEngine({ engine, fallback: 'ort-node' })).runtime;
}
