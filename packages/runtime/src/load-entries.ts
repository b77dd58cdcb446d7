import type { EntryManifest } from '@unfold/core/interface';
import { RuntimeError } from './errors';
import { manifestKey } from './info/manifest';
import { isUnfoldModel, readUnfoldFile, type UnfoldFile } from './info/unfold-info';
import { readModelInfo, type ModelInfo } from './proto/model-info';
import { checkTensorData } from './proto/tensor-data';
import { openSession, type OrtFlavour, type SessionOptions } from './session';
import type { ServedEntry } from './unfold-model';

/**
 * The files of a multi-entry model (a folder holding `<entry>.onnx` per entry, each carrying the same
 * manifest `unfold.entries`), checked together before any session opens: every file is an unfold v2 file
 * with a manifest, all manifests are the same, every entry the manifest lists is there under its file
 * name and holds that entry, and no other file is. A failure is E_MODEL naming the file.
 */
function invalid(where: string, what: string, expected: string, got: string): RuntimeError {
  return new RuntimeError('E_MODEL', what, { where, expected, got, fix: 'copy the model’s folder as the exporter wrote it, every file of one export' });
}

interface ReadFile {
  readonly file: string;
  readonly bytes: Uint8Array;
  readonly graph: ModelInfo;
  readonly unfold: UnfoldFile;
}

function readEntryFile(name: string, file: string, bytes: Uint8Array): ReadFile {
  const where = `${name}/${file}`;
  const graph = readModelInfo(bytes, where);
  checkTensorData(bytes, where);
  if (!isUnfoldModel(graph)) throw invalid(where, 'a file of a multi-entry model has no unfold metadata', 'an entry file written by @unfold/onnx', 'a plain ONNX graph');
  const unfold = readUnfoldFile(graph, where);
  if (!unfold.manifest) throw invalid(where, 'a file of a multi-entry model has no manifest', 'unfold.entries in every file', 'a single-entry model file (load it with runtime.load)');
  return { file, bytes, graph, unfold };
}

/** The files in manifest order, checked against the one manifest they all carry. */
export function checkEntryFiles(name: string, files: Readonly<Record<string, Uint8Array>>): { manifest: EntryManifest; files: ReadFile[] } {
  const read = Object.entries(files).map(([file, bytes]) => readEntryFile(name, file, bytes));
  const first = read[0];
  if (!first?.unfold.manifest) throw invalid(name, 'no files', 'the .onnx file of every entry', '0 files');
  const manifest = first.unfold.manifest;
  const other = read.find((r) => manifestKey(r.unfold.manifest as EntryManifest) !== manifestKey(manifest));
  if (other) throw invalid(`${name}/${other.file}`, 'the files carry different manifests', `the manifest of ${first.file}: entries ${manifest.entries.map((e) => e.name).join(', ')}`, `entries ${other.unfold.manifest?.entries.map((e) => e.name).join(', ')}`);
  const listed = new Set(manifest.entries.map((e) => e.file));
  const stray = read.find((r) => !listed.has(r.file));
  if (stray) throw invalid(`${name}/${stray.file}`, 'a file the manifest does not list', `only ${[...listed].join(', ')}`, stray.file);
  const ordered = manifest.entries.map((entry) => {
    const found = read.find((r) => r.file === entry.file);
    if (!found) throw invalid(`${name}/${entry.file}`, 'an entry’s file is missing', `${entry.file} (entry ${entry.name})`, `only ${read.map((r) => r.file).join(', ')}`);
    if (found.unfold.entry.name !== entry.name) throw invalid(`${name}/${entry.file}`, 'a file holds another entry than the manifest says', `entry ${JSON.stringify(entry.name)}`, `entry ${JSON.stringify(found.unfold.entry.name)}`);
    return found;
  });
  return { manifest, files: ordered };
}

/** Opens a session per entry, in manifest order; if one fails the others are released. */
export async function openEntries(ort: OrtFlavour, name: string, files: readonly ReadFile[], options: SessionOptions | undefined): Promise<ServedEntry[]> {
  const served: ServedEntry[] = [];
  try {
    for (const file of files) served.push({ info: file.unfold.entry, graph: file.graph, session: await openSession(ort, file.bytes, options, `${name}/${file.file}`) });
  } catch (error) {
    await Promise.all(served.map((e) => e.session.release().catch(() => undefined)));
    throw error;
  }
  return served;
}
