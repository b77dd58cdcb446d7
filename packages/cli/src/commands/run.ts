import { deserializeModel } from '@unfold/core';
import { exportModel } from '@unfold/onnx';
import { writeFileAtomic } from '@unfold/core/node';
import { onnxToModel } from '../engines/convert';
import { onnxEngine, RUN_ENGINES } from '../engines/engine-runtime';
import { runOnnxFile } from '../engines/onnxruntime';
import { predictTrees, treeRequest } from '../engines/trees';
import { runWithUnfold } from '../engines/unfold';
import { declaresEntries, generateWithCheckpoint, generateWithFolder, isFolder } from '../engines/generate';
import { fileKind, readInputFile } from '../files';
import type { Io } from '../io';
import { builtInRegistry } from '../models';
import { choiceOption, parseOptions } from '../options';
import { parseInputsFile, toJsonTensor, type JsonTensor } from '../tensor-json';
import { fromNativeOutputs, importedInterface, toNativeInputs } from '../engines/imported';
import { UsageError } from '../usage-error';
import type { EngineName } from '@unfold/edge/node';

export const RUN_HELP = `unfold run — run a model once on inputs from a JSON file

Usage: unfold run <model.onnx | checkpoint> --inputs inputs.json [--engine <engine>] [-o outputs.json]
       unfold run <tree model> --trees trees.json [--engine <engine>] [-o outputs.json]
       unfold run <seq2seq folder | checkpoint> --inputs request.json [--engine <engine>] [-o outputs.json]

Options:
  --inputs <path>        JSON object mapping input names to tensors (required, except with --trees)
  --trees <path>         a tree model: {"trees": ["(+ 1 2)", {"token": …, "children": […]}, …], "nodes"?: true}
                         or the list of trees; prints each root's output (and every node's with "nodes"),
                         as POST /models/:name/predict answers
  --engine <engine>      compact: unfold's own ONNX engine (the files unfold exports; refuses others
                         before running, naming the node and operator); ort-node (ort is the old name)
                         and ort-web: onnxruntime; auto: compact for files and calls it suits,
                         onnxruntime-node otherwise (docs/engines.md); tfjs: unfold's own forward pass.
                         Default: ort-node for .onnx files and folders, tfjs for checkpoints (a checkpoint
                         is exported in memory for an ONNX engine; an .onnx file is read back into unfold
                         for tfjs)
  -o, --out <path>       write the outputs there (atomically) instead of printing them

A seq2seq model (the folder unfold export writes, or its checkpoint) decodes: the inputs file is a
generate request {"inputs": ["source text", …], "strategy": "greedy" | "beam" | "sample", "maxLength",
"beamWidth", "alpha", "nBest", "temperature", "topK", "topP", "seed"}, answered with {outputs, tokens,
scores}: a folder on an ONNX engine (default ort-node), a checkpoint in unfold.
  -h, --help             show this help

A tensor is a nested array, or { "dtype": "float32" | "int32" | "int64", "shape": [...], "data": [...] }
with flat row-major data (dtype optional: the model's input type). Outputs come back in the second form,
under the model's output names. The same inputs.json runs an imported checkpoint and the .onnx file it
came from; for unfold models the names are input, sequence_lens, state_in.<path> (see unfold inspect).
`;

export async function run(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseOptions('run', argv, { inputs: { type: 'string' }, trees: { type: 'string' }, engine: { type: 'string' }, out: { type: 'string', short: 'o' } }, 1);
  if (values.help) {
    io.out(RUN_HELP);
    return 0;
  }
  const path = positionals[0];
  const given = values.engine === undefined ? undefined : choiceOption(values.engine, 'engine', RUN_ENGINES, 'ort-node');
  if (path !== undefined && (await isFolder(path))) return writeAnswer(await generateWithFolder(path, await requestText(values.inputs), values.inputs as string, onnxEngine(given ?? 'ort-node', 'a seq2seq folder')), values.out, io);
  const bytes = await readInputFile(path, 'model file', 'run');
  if (values.trees !== undefined) return runTrees(bytes, path as string, { ...values, engine: onnxEngine(given ?? 'ort-node', '--trees') }, io);
  if (!values.inputs) throw new UsageError('missing --inputs', 'pass --inputs inputs.json (see unfold run --help)');
  const inputsText = new TextDecoder().decode(await readInputFile(values.inputs, 'inputs file', 'run'));
  const inputs = parseInputsFile(inputsText, values.inputs);
  const kind = fileKind(bytes);
  if (kind === 'unknown') throw new UsageError(`${path} is neither an ONNX model nor an unfold checkpoint`, 'pass a .onnx file or a checkpoint written by unfold');
  const engine = given ?? (kind === 'onnx' ? 'ort-node' : 'tfjs');
  const registry = builtInRegistry();
  if (kind === 'checkpoint' && declaresEntries(registry, bytes, path as string)) return writeAnswer(await generateWithCheckpoint(registry, bytes, path as string, inputsText, values.inputs), values.out, io);
  let outputs: Record<string, JsonTensor>;
  if (kind === 'onnx' && engine !== 'tfjs') outputs = await runOnnxFile(bytes, inputs, path as string, onnxEngine(engine, 'an .onnx file'));
  else {
    // Everything else runs an unfold model: an imported one translates to and from the original interface.
    const read = kind === 'onnx' ? onnxToModel(registry, bytes, path as string) : { model: deserializeModel(registry, bytes, path), imported: true };
    const model = read.model;
    // Imported models (now, or earlier into this checkpoint) take the original file's input names.
    const io = read.imported ? importedInterface(model) : undefined;
    const native = io ? toNativeInputs(registry, model, io, inputs) : inputs;
    const results = engine !== 'tfjs' ? await runOnnxFile(exportModel(registry, model), native, path as string, onnxEngine(engine, 'a checkpoint')) : await runWithUnfold(registry, model, native);
    outputs = io ? fromNativeOutputs(registry, model, io, results) : results;
  }
  const text = `${JSON.stringify(Object.fromEntries(Object.entries(outputs).map(([name, tensor]) => [name, toJsonTensor(tensor)])))}\n`;
  if (values.out) {
    await writeFileAtomic(values.out, new TextEncoder().encode(text));
    io.err(`outputs written to ${values.out}\n`);
  } else io.out(text);
  return 0;
}

async function requestText(file: string | undefined): Promise<string> {
  if (!file) throw new UsageError('missing --inputs', 'pass --inputs request.json, a generate request (see unfold run --help)');
  return new TextDecoder().decode(await readInputFile(file, 'inputs file', 'run'));
}

async function writeAnswer(answer: unknown, out: string | undefined, io: Io): Promise<number> {
  const text = `${JSON.stringify(answer)}\n`;
  if (out) {
    await writeFileAtomic(out, new TextEncoder().encode(text));
    io.err(`outputs written to ${out}\n`);
  } else io.out(text);
  return 0;
}

/** `--trees`: a tree model's predict (engines/trees.ts) on an ONNX engine; a checkpoint is exported in memory first. */
async function runTrees(bytes: Uint8Array, path: string, values: { readonly trees?: string; readonly inputs?: string; readonly engine: EngineName; readonly out?: string }, io: Io): Promise<number> {
  if (values.inputs !== undefined) throw new UsageError('--trees runs a tree model on its trees; --inputs does not apply', 'pass --trees alone');
  const kind = fileKind(bytes);
  if (kind === 'unknown') throw new UsageError(`${path} is neither an ONNX model nor an unfold checkpoint`, 'pass a .onnx file or a checkpoint written by unfold');
  const request = treeRequest(new TextDecoder().decode(await readInputFile(values.trees, 'trees file', 'run')), values.trees as string);
  const registry = builtInRegistry();
  const onnx = kind === 'onnx' ? bytes : exportModel(registry, deserializeModel(registry, bytes, path));
  const text = `${JSON.stringify(await predictTrees(onnx, request, path, values.engine))}\n`;
  if (values.out) {
    await writeFileAtomic(values.out, new TextEncoder().encode(text));
    io.err(`outputs written to ${values.out}\n`);
  } else io.out(text);
  return 0;
}
