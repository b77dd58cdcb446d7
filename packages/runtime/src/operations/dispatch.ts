import type { EntryManifest } from '@unfold/core/interface';
import { describeValue, RuntimeError } from '../errors';
import type { RuntimeLimits } from '../limits';
import type { OperationEvent } from '../model';
import type { LoadedEntry, OperationModule, OperationResult, OperationTarget } from './operation';
import { OPERATIONS, operationNamed } from './registry';

/**
 * From a request to an operation module: which operations a model offers (its declared tasks that have a
 * module and that the entry can run), which entry a request means (`"entry": "<name>"`, by default the
 * first entry declaring the operation), and the E_UNSUPPORTED answer for what a model does not declare.
 */
export interface EntryModel {
  readonly name: string;
  /** In manifest order; the first is the default entry. */
  readonly entries: readonly LoadedEntry[];
  readonly manifest: EntryManifest | null;
}

function labelOf(model: EntryModel, entry: LoadedEntry): string {
  return model.entries.length === 1 ? model.name : `${model.name}/${entry.info.name}`;
}

/** The operations an entry offers: declared, registered, and runnable. */
export function entryOperations(entry: LoadedEntry, label: string): string[] {
  return OPERATIONS.filter((o) => o.scope === 'entry' && entry.info.tasks.includes(o.name) && !o.unsupported(entry.info, label)).map((o) => o.name);
}

/** The model-scope module that runs the manifest's task `name` on its entries, when there is one and they suit it. */
function spanningModule(model: EntryModel, name: string): OperationModule | undefined {
  const task = model.manifest?.tasks.find((t) => t.name === name);
  const module = task ? operationNamed(name, 'model') : undefined;
  const first = model.entries.find((e) => e.info.name === task?.entries[0]);
  return module && first && !module.unsupported(first.info, model.name) ? module : undefined;
}

/** The model's operations, in registry order: any entry's, and the manifest's model-level tasks that have a module. */
export function modelOperations(model: EntryModel): string[] {
  const offered = new Set(model.entries.flatMap((e) => entryOperations(e, labelOf(model, e))));
  for (const task of model.manifest?.tasks ?? []) if (spanningModule(model, task.name)) offered.add(task.name);
  return [...new Set(OPERATIONS.filter((o) => offered.has(o.name)).map((o) => o.name))];
}

function notDeclared(model: EntryModel, operation: string, where: string, declared: readonly string[]): RuntimeError {
  return new RuntimeError('E_UNSUPPORTED', `this model does not declare ${operation}`, { where, expected: declared.length ? `one of its operations: ${declared.join(', ')}` : 'an operation the model declares', got: JSON.stringify(operation), fix: `GET /models/${model.name} lists what each entry declares` });
}

/** The entry a request names with `"entry"` (taken out of the request), or the default one. */
function selectEntry(model: EntryModel, operation: string, request: unknown): { entry: LoadedEntry; request: unknown } {
  if (typeof request !== 'object' || request === null || Array.isArray(request) || !('entry' in request)) {
    const entry = model.entries.find((e) => e.info.tasks.includes(operation)) ?? (model.entries[0] as LoadedEntry);
    return { entry, request };
  }
  const { entry: name, ...rest } = request as Record<string, unknown>;
  const entry = model.entries.find((e) => e.info.name === name);
  if (!entry) {
    throw new RuntimeError('E_REQUEST', 'unknown entry', { where: 'request.entry', expected: `one of ${model.entries.map((e) => JSON.stringify(e.info.name)).join(', ')}`, got: typeof name === 'string' ? JSON.stringify(name.slice(0, 100)) : describeValue(name), fix: 'name an entry GET /models lists, or leave "entry" out for the default' });
  }
  return { entry, request: rest };
}

function modelTarget(model: EntryModel, module: OperationModule): OperationTarget {
  const task = model.manifest?.tasks.find((t) => t.name === module.name);
  if (!task) throw notDeclared(model, module.name, model.name, modelOperations(model));
  const entries = task.entries.map((n) => model.entries.find((e) => e.info.name === n) as LoadedEntry);
  return { label: model.name, entry: entries[0] as LoadedEntry, entries };
}

/** Runs `operation` on the model; unknown or undeclared operations are E_UNSUPPORTED. */
export async function runOperation(model: EntryModel, operation: string, request: unknown, limits: RuntimeLimits, onEvent?: (event: OperationEvent) => void): Promise<OperationResult> {
  const spanning = spanningModule(model, operation);
  if (spanning) return spanning.run(modelTarget(model, spanning), request, limits, onEvent);
  const module = operationNamed(operation, 'entry') ?? operationNamed(operation);
  if (!module) throw notDeclared(model, operation, model.name, modelOperations(model));
  if (module.scope === 'model') return module.run(modelTarget(model, module), request, limits, onEvent);
  const selected = selectEntry(model, operation, request);
  const label = labelOf(model, selected.entry);
  // An entry that does not declare the operation: the module's own reason when it has one (the answer
  // v1 models always gave), otherwise "not declared".
  if (!selected.entry.info.tasks.includes(operation) && !module.unsupported(selected.entry.info, label)) {
    throw notDeclared(model, operation, label, entryOperations(selected.entry, label));
  }
  return module.run({ label, entry: selected.entry, entries: [selected.entry] }, selected.request, limits, onEvent);
}
