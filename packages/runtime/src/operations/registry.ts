import { generateOperation } from './generate';
import type { OperationModule } from './operation';
import { predictOperation } from './predict';
import { rolloutOperation } from './rollout';
import { streamOperation } from './stream';

/**
 * Every operation this runtime can run, in the order descriptions list them. Adding a task (generate,
 * tree predict) is a module and one line here: models that declare it offer it, and the edge routes it.
 */
export const OPERATIONS: readonly OperationModule[] = Object.freeze([predictOperation, streamOperation, rolloutOperation, generateOperation]);

/** The names of OPERATIONS: what `POST /models/:name/<operation>` accepts. */
export const OPERATION_NAMES: readonly string[] = Object.freeze(OPERATIONS.map((o) => o.name));

export function operationNamed(name: string): OperationModule | undefined {
  return OPERATIONS.find((o) => o.name === name);
}
