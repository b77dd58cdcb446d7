import type { RuntimeError } from '../errors';
import type { EntryInfo } from '../info/unfold-info';
import type { RuntimeLimits } from '../limits';
import type { OperationEvent } from '../model';
import type { ModelSession } from '../session';

/**
 * An operation module: one thing the runtime can do with an unfold model (predict, stream, rollout, …).
 * A model's operations are the tasks its entries (and its manifest) declare for which a module is
 * registered (registry.ts); a new task is a new module plus one line there, nothing else.
 */
export interface LoadedEntry {
  readonly info: EntryInfo;
  readonly session: ModelSession;
}

export interface OperationTarget {
  /** The model's name, `model/entry` for an entry of a multi-entry model: the `where` of its errors. */
  readonly label: string;
  /** The entry the request selected (`entry` scope), or the first entry of the model task (`model` scope). */
  readonly entry: LoadedEntry;
  /** `model` scope: the entries the manifest's task names, in its order; `entry` scope: the selected entry. */
  readonly entries: readonly LoadedEntry[];
}

/** An answer's fields, as the edge sends them after `"model"`. */
export type OperationResult = Readonly<Record<string, unknown>>;

export interface OperationModule {
  /** The task name it serves, and the last segment of its edge route (`POST /models/:name/<name>`). */
  readonly name: string;
  /** `entry`: runs on one entry, chosen by the request's `entry` field; `model`: a task spanning entries (manifest `tasks`). */
  readonly scope: 'entry' | 'model';
  /** Why this entry cannot run it (E_UNSUPPORTED), or null: an entry that declares the task but cannot run it is not offered it. */
  unsupported(entry: EntryInfo, where: string): RuntimeError | null;
  /** Runs on untrusted `request` (the `entry` field already taken out), every value checked; `onEvent` receives progress (generate: each token). */
  run(target: OperationTarget, request: unknown, limits: RuntimeLimits, onEvent?: (event: OperationEvent) => void): Promise<OperationResult>;
}
