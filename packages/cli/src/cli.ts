import { isUnfoldError } from '@unfold/core';
import { isRuntimeError } from '@unfold/runtime';
import { DEMO_HELP, demo } from './commands/demo';
import { EXPORT_HELP, exportCommand } from './commands/export';
import { IMPORT_HELP, importCommand } from './commands/import';
import { INSPECT_HELP, inspect } from './commands/inspect';
import { RUN_HELP, run } from './commands/run';
import { SERVE_HELP, serve } from './commands/serve';
import { TRAIN_HELP, train } from './commands/train';
import type { Io } from './io';
import { UsageError } from './usage-error';

export const HELP = `unfold — recurrent sequence models that train anywhere JavaScript runs and deploy as ONNX

Usage: unfold <command> [options]

Commands:
  demo      the main job: train, export, check in onnxruntime, report and serve a forecaster and a char LM
  train     train a model from a spec on your own data (JSON lines, CSV), or the built-in forecaster
  export    export a checkpoint to a self-describing ONNX file
  inspect   describe an ONNX model or a checkpoint: inputs, outputs, ops, metadata
  import    read an ONNX model with RNN/LSTM/GRU nodes (e.g. from PyTorch) into a checkpoint
  run       run a model (.onnx or checkpoint) once on inputs from a JSON file
  serve     serve exported models over HTTP on Node, Bun or Deno

Run "unfold <command> --help" for a command's options.
`;

const COMMANDS: Record<string, { run: (argv: readonly string[], io: Io) => Promise<number>; help: string }> = {
  demo: { run: demo, help: DEMO_HELP },
  train: { run: train, help: TRAIN_HELP },
  export: { run: exportCommand, help: EXPORT_HELP },
  inspect: { run: inspect, help: INSPECT_HELP },
  import: { run: importCommand, help: IMPORT_HELP },
  run: { run, help: RUN_HELP },
  serve: { run: serve, help: SERVE_HELP },
};

/**
 * Runs the command line. Returns the exit code: 0 success, 2 for a usage mistake or bad input (one line
 * on stderr naming the fix, never a stack trace), 1 for an unexpected internal error.
 */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(HELP);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  try {
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}`, `run one of: ${Object.keys(COMMANDS).join(', ')} (see unfold --help)`);
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`unfold: ${error.message}. Fix: ${error.fix}\n`);
      return 2;
    }
    // A served file that is not a loadable model (@unfold/edge's ModelFolderError names the file, the reason and the fix).
    if (isUnfoldError(error) || isRuntimeError(error) || (error instanceof Error && error.name === 'ModelFolderError')) {
      const code = (error as { code?: unknown }).code;
      io.err(`unfold: ${typeof code === 'string' ? `${code}: ` : ''}${(error as Error).message.replace(/\s+/g, ' ')}\n`);
      return 2;
    }
    io.err(`unfold: internal error: ${(error as Error)?.message ?? String(error)}${process.env.UNFOLD_DEBUG ? `\n${(error as Error)?.stack}` : ' (set UNFOLD_DEBUG=1 for details)'}\n`);
    return 1;
  }
}
