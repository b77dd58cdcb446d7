import { generateOperation } from './generate';
import type { OperationModule } from './operation';
import { predictOperation } from './predict';
import { rolloutOperation } from './rollout';
import { streamOperation } from './stream';
import { translateOperation } from './translate';

/**
 * Every operation this runtime can run, in the order descriptions list them. Adding a task (generate,
 * tree predict) is a module and one line here: models that declare it offer it, and the edge routes it.
 * A name may have an entry-scope module and a model-scope one (`generate`: a language model's entry, a
 * seq2seq model's manifest task); a model's manifest task picks the model-scope one.
 */
export const OPERATIONS: readonly OperationModule[] = Object.freeze([predictOperation, streamOperation, rolloutOperation, generateOperation, translateOperation]);

/** The names of OPERATIONS: what `POST /models/:name/<operation>` accepts. */
export const OPERATION_NAMES: readonly string[] = Object.freeze([...new Set(OPERATIONS.map((o) => o.name))]);

export function operationNamed(name: string, scope?: OperationModule['scope']): OperationModule | undefined {
  return OPERATIONS.find((o) => o.name === name && (scope === undefined || o.scope === scope));
}
