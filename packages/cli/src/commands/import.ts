import { resolve } from 'node:path';
import { saveModel } from '@unfold/core/node';
import { importOnnx } from '@unfold/onnx';
import { fileKind, readInputFile } from '../files';
import type { Io } from '../io';
import { builtInRegistry } from '../models';
import { parseOptions } from '../options';
import { UsageError } from '../usage-error';

export const IMPORT_HELP = `unfold import — read an ONNX model with RNN/LSTM/GRU nodes (e.g. exported by PyTorch) into a checkpoint

Usage: unfold import <model.onnx> -o <checkpoint>

Options:
  -o, --out <path>   the checkpoint to write (required); written atomically
  -h, --help         show this help

Supported: RNN/LSTM/GRU nodes (stacked, forward/reverse/bidirectional, sequence_lens, initial states), the
glue PyTorch emits around them (Transpose, Reshape, Slice, Concat, Squeeze, Unsqueeze, Shape, Gather,
Constant, ConstantOfShape, Cast, Expand, Identity) and MatMul/Gemm/Add heads. The checkpoint keeps the
file's input and output names, so "unfold run" takes the same inputs.json for both. Anything else is
reported with the list of unsupported nodes.
`;

export async function importCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseOptions('import', argv, { out: { type: 'string', short: 'o' } }, 1);
  if (values.help) {
    io.out(IMPORT_HELP);
    return 0;
  }
  if (!values.out) throw new UsageError('missing --out', 'pass -o model.unfold');
  const path = positionals[0];
  const bytes = await readInputFile(path, 'ONNX model', 'import');
  if (fileKind(bytes) !== 'onnx') throw new UsageError(`${path} is not an ONNX model`, 'pass a .onnx file (checkpoints need no import)');
  const registry = builtInRegistry();
  const imported = importOnnx(bytes, { where: path, registry });
  const out = resolve(values.out);
  await saveModel(registry, out, { spec: imported.spec, weights: imported.weights });
  io.out(`imported ${path} (${imported.spec.kind}; inputs ${imported.inputs.map((i) => i.name).join(', ')}; outputs ${imported.outputs.map((o) => o.name).join(', ')}) to ${out}\n`);
  return 0;
}
