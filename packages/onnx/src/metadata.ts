import { ExportError, type ModelSpec, type PluginStamp, type ResolvedNode } from '@unfold/core';
import type { OnnxInterface } from './interface';
import { ONNX_PACKAGE, ONNX_PACKAGE_VERSION } from './version';

/**
 * The `metadata_props` an exported file carries, so a server needs nothing but the file: each value is a
 * string, JSON where structured.
 */
export const METADATA_KEYS = Object.freeze({
  /** `unfold-onnx/1`: the layout of these keys. */
  format: 'unfold.format',
  /** `@unfold/onnx@<version>` (also in the model's producer_name / producer_version). */
  producer: 'unfold.producer',
  /** The unfold model spec, JSON: `{ kind, config, children, metadata }`. */
  spec: 'unfold.spec',
  /** JSON `{ kind: { package, version, schemaVersion } }` for every plugin the model uses. */
  plugins: 'unfold.plugins',
  /** JSON OnnxInterface: names, dtypes, shapes and meanings of every input and output. */
  interface: 'unfold.interface',
  /** JSON of the root spec's `metadata` (vocabulary, normalisation constants, ...); `{}` when none. */
  metadata: 'unfold.metadata',
});

export const METADATA_FORMAT = 'unfold-onnx/1';

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

/** The metadata entries of an exported model; `extra` keys may not use the `unfold.` prefix. */
export function modelMetadata(root: ResolvedNode, spec: ModelSpec, described: OnnxInterface, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  for (const [key, value] of Object.entries(extra)) {
    if (key.startsWith('unfold.')) {
      throw new ExportError(`metadata key ${JSON.stringify(key)} is reserved`, { where: 'exportModel options.metadata', expected: 'keys without the "unfold." prefix', got: key, fix: 'put model data (vocabulary, normalisation) in the spec’s metadata, which is written under unfold.metadata, or rename the key' });
    }
    if (typeof value !== 'string') {
      throw new ExportError(`metadata value of ${JSON.stringify(key)} is not a string`, { where: 'exportModel options.metadata', expected: 'a string (ONNX metadata_props hold strings)', got: typeof value, fix: 'JSON.stringify structured values' });
    }
  }
  return {
    ...extra,
    [METADATA_KEYS.format]: METADATA_FORMAT,
    [METADATA_KEYS.producer]: `${ONNX_PACKAGE}@${ONNX_PACKAGE_VERSION}`,
    [METADATA_KEYS.spec]: JSON.stringify(spec),
    [METADATA_KEYS.plugins]: JSON.stringify(pluginStamps(root)),
    [METADATA_KEYS.interface]: JSON.stringify(described),
    [METADATA_KEYS.metadata]: JSON.stringify(spec.metadata ?? {}),
  };
}
