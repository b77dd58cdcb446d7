import { ExportError, type ExportEntry, type ResolvedNode } from '@unfold/core';

// Export entries (the types are core's: packages/core/src/export-entry.ts): their checks and node lookup.

export type { EntryContext, EntryInputPort, EntryInputValue, EntryOutputPort, EntryResult, EntrySequenceOutput, ExportEntry, ModelExports } from '@unfold/core';

export interface EntryOptions {
  /** Tasks that span entries, written into the manifest (`generate` runs `encoder` then `decoder_step`). */
  readonly tasks?: readonly { readonly name: string; readonly entries: readonly string[] }[];
  /** Graph name prefix (default: the root's kind). */
  readonly name?: string;
  /** Extra `metadata_props` entries (keys without the `unfold.` prefix), in every file. */
  readonly metadata?: Readonly<Record<string, string>>;
}

const ENTRY_NAME = /^[a-z][a-z0-9_-]*$/;

function entryError(entry: string, message: string, details: { expected: string; got: string; fix?: string }): ExportError {
  return new ExportError(message, { where: `entry ${JSON.stringify(entry)}`, ...details });
}

function checkPorts(entry: ExportEntry): void {
  if (entry.inputs.length === 0 || entry.outputs.length === 0) throw entryError(entry.name, 'an entry needs an input and an output port', { expected: 'at least one port each way', got: `${entry.inputs.length} inputs, ${entry.outputs.length} outputs` });
  const ports = new Set<string>();
  const tensors = new Set<string>();
  for (const port of [...entry.inputs, ...entry.outputs]) {
    const tensor = port.tensor ?? port.name;
    if (ports.has(port.name) || tensors.has(tensor)) throw entryError(entry.name, `port ${JSON.stringify(port.name)} is declared twice`, { expected: 'unique port names and tensors (each names a graph value)', got: `${port.name} (tensor ${tensor})` });
    ports.add(port.name);
    tensors.add(tensor);
    if (!Number.isSafeInteger(port.size) || port.size < 1) throw entryError(entry.name, `port ${JSON.stringify(port.name)} has no valid size`, { expected: 'an integer >= 1', got: String(port.size) });
  }
  for (const port of entry.inputs) {
    if (port.kind === 'tree') throw entryError(entry.name, `tree port ${JSON.stringify(port.name)} cannot be exported yet`, { expected: 'features, tokens or vector input ports', got: 'tree' });
  }
  for (const port of entry.outputs) {
    if (port.kind === 'tree') throw entryError(entry.name, `output port ${JSON.stringify(port.name)} cannot be exported`, { expected: 'features, tokens or vector output ports', got: port.kind });
  }
}

/** Checks the declarations of a model's entries (names, ports, tasks) before any graph is built. */
export function checkEntries(entries: readonly ExportEntry[], options: EntryOptions = {}): void {
  if (entries.length === 0) throw new ExportError('no entries to export', { where: 'exportEntries', expected: 'at least one entry', got: 'none', fix: 'pass mainEntry(root) or entries of your own' });
  const names = new Set<string>();
  for (const entry of entries) {
    if (typeof entry.name !== 'string' || !ENTRY_NAME.test(entry.name)) throw entryError(String(entry.name), 'invalid entry name', { expected: 'lower-case letters, digits, "_" and "-", starting with a letter (it names the file)', got: JSON.stringify(entry.name) });
    if (names.has(entry.name)) throw entryError(entry.name, 'two entries have the same name', { expected: 'unique entry names', got: `${entry.name} twice` });
    names.add(entry.name);
    if (!Array.isArray(entry.tasks) || !entry.tasks.every((t) => typeof t === 'string' && t.length > 0)) throw entryError(entry.name, 'invalid task', { expected: 'task names (predict, stream, ...)', got: JSON.stringify(entry.tasks) });
    checkPorts(entry);
  }
  for (const task of options.tasks ?? []) {
    const unknown = task.entries.filter((e) => !names.has(e));
    if (unknown.length) throw new ExportError(`task ${JSON.stringify(task.name)} names unknown entries`, { where: 'exportEntries options.tasks', expected: `entries among ${[...names].join(', ')}`, got: unknown.join(', ') });
  }
}

function findNode(node: ResolvedNode, path: string): ResolvedNode | undefined {
  if (node.path === path) return node;
  for (const child of Object.values(node.children)) {
    for (const c of Array.isArray(child) ? child : [child as ResolvedNode]) {
      const found = findNode(c, path);
      if (found) return found;
    }
  }
  return undefined;
}

/** The model's node at a dotted path from the root (`''`, `body`, `body.layers.1`). */
export function nodeAt(root: ResolvedNode, path: string, entry: string): ResolvedNode {
  const node = findNode(root, path);
  if (!node) throw entryError(entry, `no node at ${JSON.stringify(path)}`, { expected: 'a path of child slots from the root (body, body.layers.1)', got: 'no such node in the model' });
  return node;
}
