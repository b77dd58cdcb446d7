import { resolve } from 'node:path';
import { deserializeModel } from '@unfold/core';
import { exportModelFile, exportModelFolder } from '@unfold/onnx/node';
import { declaresEntries } from '../engines/generate';
import { fileKind, readInputFile } from '../files';
import type { Io } from '../io';
import { builtInRegistry } from '../models';
import { parseOptions } from '../options';
import { UsageError } from '../usage-error';

export const EXPORT_HELP = `unfold export — export a checkpoint to one self-describing ONNX file (opset 17, IR 8)

Usage: unfold export <checkpoint> -o <model.onnx> [options]

Options:
  -o, --out <path>        the .onnx file to write (required); written atomically
  --no-sequence-lens      leave out the sequence_lens input (every sequence is full length)
  --no-state              leave out the state_in.* inputs (every call starts from zeros)
  -h, --help              show this help

Interface: input "input" [batch, time, features] (int32 [batch, time] for token models), "sequence_lens"
int32 [batch or 1], "state_in.<path>" [batch or 1, size]; outputs "output" and "state_out.<path>".
Feed state_out of one call as state_in of the next to stream a long sequence in chunks.

A seq2seq model exports as a folder at --out holding encoder.onnx and decoder_step.onnx (each a
standalone ONNX model carrying the manifest); unfold serve and unfold run take the folder.
`;

export async function exportCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseOptions('export', argv, { out: { type: 'string', short: 'o' }, 'no-sequence-lens': { type: 'boolean' }, 'no-state': { type: 'boolean' } }, 1);
  if (values.help) {
    io.out(EXPORT_HELP);
    return 0;
  }
  if (!values.out) throw new UsageError('missing --out', 'pass -o model.onnx');
  const bytes = await readInputFile(positionals[0], 'checkpoint', 'export');
  if (fileKind(bytes) === 'onnx') throw new UsageError(`${positionals[0]}: this is an ONNX file; export takes a checkpoint (.unfold)`, 'pass the checkpoint unfold train wrote (to bring in an ONNX model from elsewhere, run unfold import <model.onnx> -o model.unfold)');
  const registry = builtInRegistry();
  const model = deserializeModel(registry, bytes, positionals[0]);
  const out = resolve(values.out);
  if (declaresEntries(registry, bytes, positionals[0] as string)) {
    const exported = await exportModelFolder(registry, out, { spec: model.spec, weights: model.weights });
    io.out(`exported ${positionals[0]} to the folder ${out} (${exported.entries.map((e) => e.file).join(', ')})\n`);
    return 0;
  }
  await exportModelFile(registry, out, { spec: model.spec, weights: model.weights }, { sequenceLens: !values['no-sequence-lens'], initialStates: !values['no-state'] });
  io.out(`exported ${positionals[0]} to ${out}\n`);
  return 0;
}
