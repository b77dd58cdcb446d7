import type { EntryManifest } from '@unfold/core/interface';
import { badMetadata, isObject, shortJson, stringList } from './metadata-json';

/**
 * `unfold.entries`: the manifest of a multi-entry model (its entries, the file of each, and the tasks
 * that span entries). Every file of the model carries the same one, so any file says what else to load.
 */
export function readManifest(value: Record<string, unknown>, where: string): EntryManifest {
  const at = `${where}: unfold.entries`;
  if (value.version !== 2) throw badMetadata(`${at}.version`, 'unsupported manifest version', shortJson(value.version));
  if (!Array.isArray(value.entries) || value.entries.length === 0) throw badMetadata(`${at}.entries`, 'the manifest lists no entries', shortJson(value.entries));
  const entries = value.entries.map((e, i) => {
    if (!isObject(e) || typeof e.name !== 'string' || e.name === '' || typeof e.file !== 'string' || e.file === '' || !stringList(e.tasks)) throw badMetadata(`${at}.entries[${i}]`, 'a malformed manifest entry', shortJson(e));
    return { name: e.name, file: e.file, tasks: e.tasks };
  });
  const names = entries.map((e) => e.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i) ?? entries.map((e) => e.file).find((f, i, all) => all.indexOf(f) !== i);
  if (twice !== undefined) throw badMetadata(`${at}.entries`, 'an entry name or file is listed twice', JSON.stringify(twice));
  const tasks = (Array.isArray(value.tasks) ? value.tasks : []).map((t, i) => {
    if (!isObject(t) || typeof t.name !== 'string' || !stringList(t.entries) || t.entries.some((n) => !names.includes(n))) throw badMetadata(`${at}.tasks[${i}]`, 'a malformed model task (its entries must be listed)', shortJson(t));
    return { name: t.name, entries: t.entries };
  });
  return { version: 2, entries, tasks };
}

/** A canonical text of a manifest, to compare the copies the files of one model carry. */
export function manifestKey(manifest: EntryManifest): string {
  return JSON.stringify(manifest);
}
