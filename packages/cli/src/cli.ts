import { isUnfoldError } from '@unfold/core/errors';
import { isRuntimeError } from '@unfold/runtime';
import type { Io } from './io';
import { UsageError } from './usage-error';

export const HELP = `unfold — recurrent sequence models that train anywhere JavaScript runs and deploy as ONNX

Usage: unfold <command> [options]

Commands:
  demo      the main job: train, export, check in onnxruntime, report and serve a forecaster, a char LM and a seq2seq model
  train     train a model from a spec on your own data (JSON lines, CSV), or the built-in forecaster
  export    export a checkpoint to a self-describing ONNX file
  inspect   describe an ONNX model or a checkpoint: inputs, outputs, ops, metadata
  import    read an ONNX model with RNN/LSTM/GRU nodes (e.g. from PyTorch) into a checkpoint
  run       run a model (.onnx or checkpoint) once on inputs from a JSON file
  serve     serve exported models over HTTP on Node, Bun or Deno

Run "unfold <command> --help" for a command's options.
`;

type Command = (argv: readonly string[], io: Io) => Promise<number>;

/**
 * Each command's module, imported when that command runs: `unfold serve` then loads the server and its one
 * engine, not tfjs, the trainer and the exporter the other commands need (a cold start of milliseconds
 * instead of most of a second; docs/engines.md).
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  demo: async () => (await import('./commands/demo')).demo,
  train: async () => (await import('./commands/train')).train,
  export: async () => (await import('./commands/export')).exportCommand,
  inspect: async () => (await import('./commands/inspect')).inspect,
  import: async () => (await import('./commands/import')).importCommand,
  run: async () => (await import('./commands/run')).run,
  serve: async () => (await import('./commands/serve')).serve,
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
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  try {
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}`, `run one of: ${Object.keys(COMMANDS).join(', ')} (see unfold --help)`);
    return await (await command())(rest, io);
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
