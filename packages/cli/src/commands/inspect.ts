import { readCheckpoint } from '@unfold/core';
import { METADATA_KEYS, readOnnxModel, readUnfoldMetadata } from '@unfold/onnx';
import { fileKind, readInputFile } from '../files';
import type { Io } from '../io';
import { parseOptions } from '../options';
import { UsageError } from '../usage-error';

export const INSPECT_HELP = `unfold inspect — describe an ONNX model or an unfold checkpoint without running it

Usage: unfold inspect <model.onnx | checkpoint> [--json]

Shows inputs and outputs with shapes, the ops used, opset and IR version, producer, unfold metadata
(spec, interface, normalisation, vocabulary) and the file size. --json prints one JSON object instead.
`;

function formatShape(shape: readonly (number | string | null)[] | undefined): string {
  return shape ? `[${shape.map((d) => d ?? '?').join(', ')}]` : '(any shape)';
}

export async function inspect(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseOptions('inspect', argv, { json: { type: 'boolean' } }, 1);
  if (values.help) {
    io.out(INSPECT_HELP);
    return 0;
  }
  const path = positionals[0];
  const bytes = await readInputFile(path, 'model file', 'inspect');
  const kind = fileKind(bytes);
  if (kind === 'unknown') throw new UsageError(`${path} is neither an ONNX model nor an unfold checkpoint`, 'pass a .onnx file or a checkpoint written by unfold');
  if (kind === 'checkpoint') {
    const checkpoint = readCheckpoint(bytes, path);
    const parameters = Object.values(checkpoint.weights).reduce((n, t) => n + t.data.length, 0);
    const report = { file: path, kind: 'unfold checkpoint', bytes: bytes.length, producer: checkpoint.producer, spec: checkpoint.spec, plugins: checkpoint.plugins, parameters, weights: Object.fromEntries(Object.entries(checkpoint.weights).map(([n, t]) => [n, t.shape])) };
    if (values.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
    else {
      io.out(`${path}: unfold checkpoint, ${bytes.length} bytes, written by ${checkpoint.producer}\n`);
      io.out(`model: ${checkpoint.spec.kind}, ${parameters} parameters\n`);
      for (const [name, shape] of Object.entries(report.weights)) io.out(`  ${name} ${formatShape(shape)}\n`);
      if (checkpoint.spec.metadata) io.out(`metadata: ${JSON.stringify(checkpoint.spec.metadata)}\n`);
    }
    return 0;
  }
  const summary = readOnnxModel(bytes, path);
  const unfold = summary.metadata[METADATA_KEYS.format] === undefined ? undefined : readUnfoldMetadata(summary, path);
  if (values.json) {
    io.out(`${JSON.stringify({ file: path, kind: 'onnx', bytes: bytes.length, ...summary, unfold }, null, 2)}\n`);
    return 0;
  }
  const opsets = summary.opsets.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ');
  io.out(`${path}: ONNX IR ${summary.irVersion}, opset ${opsets}, ${bytes.length} bytes, produced by ${summary.producer.name} ${summary.producer.version}\n`);
  io.out('inputs:\n');
  for (const input of summary.inputs) io.out(`  ${input.name} ${input.dtype} ${formatShape(input.shape)}\n`);
  io.out('outputs:\n');
  for (const output of summary.outputs) io.out(`  ${output.name} ${output.dtype} ${formatShape(output.shape)}\n`);
  io.out(`ops: ${Object.entries(summary.ops).map(([op, n]) => `${op}×${n}`).join(', ')}\n`);
  io.out(`initializers: ${summary.initializers.length}\n`);
  if (unfold) io.out(`unfold: ${unfold.spec.kind} model${unfold.metadata && Object.keys(unfold.metadata).length ? `, metadata ${JSON.stringify(unfold.metadata)}` : ''}\n`);
  if (unfold?.interface.version === 2) io.out(`entry: ${unfold.interface.entry} (tasks ${unfold.interface.tasks.join(', ') || 'none'})${unfold.entries ? `; the model's entries: ${unfold.entries.entries.map((e) => `${e.name} (${e.file})`).join(', ')}` : ''}\n`);
  return 0;
}
