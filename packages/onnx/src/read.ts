import { DEFAULT_MAX_JSON_DEPTH, parseJsonLimited, parseModelSpec, SerializationError, type ModelSpec, type OnnxConstant, type PluginStamp } from '@unfold/core';
import type { GraphProto } from 'onnx-buf';
import { METADATA_FORMAT, METADATA_FORMAT_V1, METADATA_KEYS, type EntryInterface, type EntryManifest } from '@unfold/core/interface';
import type { OnnxInterfaceV1 } from './interface';
import { decodeModel } from './model-proto';
import { dataTypeName, readTensorProto } from './tensor-proto';
import { describeValue, type ValueDescription } from './value-info';

/** What an ONNX file holds, read without running it (what `unfold inspect` shows). */
export interface OnnxModelSummary {
  readonly irVersion: number;
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  readonly producer: { readonly name: string; readonly version: string };
  readonly graphName: string;
  readonly docString: string;
  readonly inputs: readonly ValueDescription[];
  readonly outputs: readonly ValueDescription[];
  readonly initializers: readonly ValueDescription[];
  /** How many nodes of each op type, subgraphs (Scan, Loop, If bodies) included. */
  readonly ops: Readonly<Record<string, number>>;
  readonly metadata: Readonly<Record<string, string>>;
}

function countOps(graph: GraphProto, into: Record<string, number>): Record<string, number> {
  for (const node of graph.node) {
    const op = node.domain ? `${node.domain}.${node.opType}` : node.opType;
    into[op] = (into[op] ?? 0) + 1;
    for (const attribute of node.attribute) {
      if (attribute.g) countOps(attribute.g, into);
      attribute.graphs.forEach((g) => countOps(g, into));
    }
  }
  return into;
}

export function readOnnxModel(bytes: Uint8Array, where = 'onnx model'): OnnxModelSummary {
  const model = decodeModel(bytes, where);
  const graph = model.graph as GraphProto;
  return {
    irVersion: Number(model.irVersion),
    opsets: model.opsetImport.map((o) => ({ domain: o.domain, version: Number(o.version) })),
    producer: { name: model.producerName, version: model.producerVersion },
    graphName: graph.name,
    docString: model.docString,
    inputs: graph.input.map(describeValue),
    outputs: graph.output.map(describeValue),
    initializers: graph.initializer.map((t) => ({ name: t.name, dtype: dataTypeName(t.dataType) ?? `onnx:${t.dataType}`, shape: t.dims.map(Number) })),
    ops: countOps(graph, {}),
    metadata: Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value])),
  };
}

/** The main graph's initializers (float32, int32 or int64) by name: an exported model's weights are copies of unfold's. */
export function readInitializers(bytes: Uint8Array, where = 'onnx model'): Readonly<Record<string, OnnxConstant>> {
  const graph = decodeModel(bytes, where).graph as GraphProto;
  return Object.fromEntries(graph.initializer.map((t) => [t.name, readTensorProto(t, `${where}: initializer ${JSON.stringify(t.name)}`)]));
}

/** What @unfold/onnx wrote into a file's metadata, in format `unfold-onnx/2` or `unfold-onnx/1`. */
export interface UnfoldOnnxMetadata {
  /** 2 for files of this version; 1 for files written before export entries and shaped state. */
  readonly format: 1 | 2;
  readonly producer: string;
  readonly spec: ModelSpec;
  readonly plugins: Readonly<Record<string, PluginStamp>>;
  /** The file's interface: an EntryInterface (`version: 2`), or a v1 file's (`version: 1`, one sequence entry). */
  readonly interface: EntryInterface | OnnxInterfaceV1;
  /** The model's entries when it exports several (the same in every file of its folder); null otherwise. */
  readonly entries: EntryManifest | null;
  readonly metadata: Readonly<Record<string, unknown>>;
}

function parseEntry(metadata: Readonly<Record<string, string>>, key: string, where: string): unknown {
  const text = metadata[key];
  if (text === undefined) {
    throw new SerializationError(`metadata ${JSON.stringify(key)} is missing`, { where, expected: 'a file exported by @unfold/onnx', got: `metadata keys: ${Object.keys(metadata).join(', ') || 'none'}`, fix: 'export the model with @unfold/onnx, or read it as a plain ONNX model' });
  }
  const parsed = parseJsonLimited(text);
  if (parsed.ok) return parsed.value;
  const deep = parsed.reason === 'depth';
  throw new SerializationError(`metadata ${JSON.stringify(key)} ${deep ? 'is nested too deeply' : 'is not JSON'}`, { where, expected: deep ? `JSON at most ${DEFAULT_MAX_JSON_DEPTH} levels deep` : 'JSON text', got: deep ? parsed.message : text.slice(0, 80), fix: 'the file was edited or is corrupt; export it again' });
}

/**
 * Reads the unfold metadata of an exported file's summary, in either format (`unfold-onnx/2`, or
 * `unfold-onnx/1` from before export entries); a file from another producer or a newer format is a
 * SerializationError.
 */
export function readUnfoldMetadata(summary: OnnxModelSummary, where = 'onnx model'): UnfoldOnnxMetadata {
  const format = summary.metadata[METADATA_KEYS.format];
  if (format !== METADATA_FORMAT && format !== METADATA_FORMAT_V1) {
    const newer = typeof format === 'string' && format.startsWith('unfold-onnx/');
    throw new SerializationError(newer ? 'an unfold export of a newer format' : 'not an unfold export', { where, expected: `metadata ${METADATA_KEYS.format} = ${METADATA_FORMAT} or ${METADATA_FORMAT_V1}`, got: format === undefined ? 'no such entry' : JSON.stringify(format), fix: newer ? 'upgrade @unfold/onnx to read it' : 'export the model with @unfold/onnx, or read it as a plain ONNX model' });
  }
  const v2 = format === METADATA_FORMAT;
  const described = parseEntry(summary.metadata, METADATA_KEYS.interface, where) as EntryInterface | OnnxInterfaceV1;
  if (described?.version !== (v2 ? 2 : 1)) {
    throw new SerializationError(`metadata ${JSON.stringify(METADATA_KEYS.interface)} does not match the format`, { where, expected: `an interface of version ${v2 ? 2 : 1} (${format})`, got: `version ${JSON.stringify((described as { version?: unknown })?.version)}`, fix: 'the file was edited or is corrupt; export it again' });
  }
  return {
    format: v2 ? 2 : 1,
    producer: summary.metadata[METADATA_KEYS.producer] ?? 'unknown',
    spec: parseModelSpec(parseEntry(summary.metadata, METADATA_KEYS.spec, where), `${where}: ${METADATA_KEYS.spec}`),
    plugins: parseEntry(summary.metadata, METADATA_KEYS.plugins, where) as Record<string, PluginStamp>,
    interface: described,
    entries: v2 && summary.metadata[METADATA_KEYS.entries] !== undefined ? (parseEntry(summary.metadata, METADATA_KEYS.entries, where) as EntryManifest) : null,
    metadata: parseEntry(summary.metadata, METADATA_KEYS.metadata, where) as Record<string, unknown>,
  };
}
