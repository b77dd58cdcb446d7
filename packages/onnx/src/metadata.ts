import { ExportError, type ModelSpec, type PluginStamp, type ResolvedNode } from '@unfold/core';
import { METADATA_FORMAT, METADATA_KEYS, type EntryInterface, type EntryManifest } from '@unfold/core/interface';
import { ONNX_PACKAGE, ONNX_PACKAGE_VERSION } from './version';

/**
 * The `metadata_props` an exported file carries, so a server needs nothing but the file (or, for a
 * multi-entry model, the folder): each value is a string, JSON where structured. The keys and the format
 * tag are `@unfold/core/interface`'s (re-exported here as they always were).
 */
export { METADATA_FORMAT, METADATA_FORMAT_V1, METADATA_KEYS } from '@unfold/core/interface';

function pluginStamps(root: ResolvedNode): Record<string, PluginStamp> {
  const stamps: Record<string, PluginStamp> = {};
  const visit = (node: ResolvedNode): void => {
    const plugin = node.plugin;
    stamps[plugin.kind] = { package: plugin.meta.package, version: plugin.meta.version, schemaVersion: plugin.schemaVersion };
    for (const child of Object.values(node.children)) (Array.isArray(child) ? child : [child as ResolvedNode]).forEach(visit);
  };
  visit(root);
  return stamps;
}

/** Checks the caller's extra metadata: keys without the `unfold.` prefix, string values. */
export function checkExtraMetadata(extra: Readonly<Record<string, string>>, where: string): void {
  for (const [key, value] of Object.entries(extra)) {
    if (key.startsWith('unfold.')) {
      throw new ExportError(`metadata key ${JSON.stringify(key)} is reserved`, { where, expected: 'keys without the "unfold." prefix', got: key, fix: 'put model data (vocabulary, normalisation) in the spec’s metadata, which is written under unfold.metadata, or rename the key' });
    }
    if (typeof value !== 'string') {
      throw new ExportError(`metadata value of ${JSON.stringify(key)} is not a string`, { where, expected: 'a string (ONNX metadata_props hold strings)', got: typeof value, fix: 'JSON.stringify structured values' });
    }
  }
}

/** The metadata entries of one exported file (`extra` checked by checkExtraMetadata); `manifest` only for a model of several entries. */
export function modelMetadata(root: ResolvedNode, spec: ModelSpec, described: EntryInterface, extra: Readonly<Record<string, string>> = {}, manifest?: EntryManifest): Record<string, string> {
  return {
    ...extra,
    [METADATA_KEYS.format]: METADATA_FORMAT,
    [METADATA_KEYS.producer]: `${ONNX_PACKAGE}@${ONNX_PACKAGE_VERSION}`,
    [METADATA_KEYS.spec]: JSON.stringify(spec),
    [METADATA_KEYS.plugins]: JSON.stringify(pluginStamps(root)),
    [METADATA_KEYS.interface]: JSON.stringify(described),
    [METADATA_KEYS.metadata]: JSON.stringify(spec.metadata ?? {}),
    ...(manifest ? { [METADATA_KEYS.entries]: JSON.stringify(manifest) } : {}),
  };
}
