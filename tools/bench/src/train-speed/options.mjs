// Command-line options of the training bench. The defaults are the published configuration (issue 17):
// LSTM and GRU at hidden 32, 128 and 512, input 32, 64 steps, batch 32, 7 interleaved rounds of ≥ 1 s each.
import { parseArgs } from 'node:util';

export const USAGE = `usage: node tools/bench/src/train-speed.mjs [options]
  --json               print one JSON document on stdout (progress goes to stderr)
  --quick              a short run: 3 rounds of ≥ 0.25 s, hidden 32 and 128 (explicit options win)
  --cells lstm,gru     cells to run
  --hidden 32,128,512  hidden sizes
  --rounds N           interleaved timed rounds per configuration (default 7, or BENCH_ROUNDS)
  --round-seconds S    minimum length of one contender's round (default 1)
  --contenders a,b     some of unfold, unfold-1t, unfold-relaxed, unfold-tfjs, tfjs-layers, pytorch-1t,
                       pytorch-2t
  --python PATH        the Python that runs the PyTorch column (default /usr/bin/python3)
  --no-write           do not write tools/bench/results/train-speed.{md,json}
Results are written only for a full run (default cells, hidden sizes and contenders, no --quick).`;

/** Bad command-line input: the bench prints the message (what was expected, what was got, the usage) and exits 2. */
export class UsageError extends Error {
  constructor(message) {
    super(`${message}\n${USAGE}`);
    this.name = 'UsageError';
  }
}

const list = (value) => value.split(',').map((s) => s.trim()).filter(Boolean);
const positive = (name, value) => {
  const number = Number(value);
  if (!(number > 0)) throw new UsageError(`train-speed: --${name} expects a positive number, got ${JSON.stringify(value)}`);
  return number;
};

function parseArgsOrExplain(config) {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError(`train-speed: ${error.message}`);
  }
}

export function parseOptions(argv) {
  const { values } = parseArgsOrExplain({
    args: argv,
    options: {
      json: { type: 'boolean' }, quick: { type: 'boolean' }, 'no-write': { type: 'boolean' }, help: { type: 'boolean' },
      cells: { type: 'string' }, hidden: { type: 'string' }, rounds: { type: 'string' }, 'round-seconds': { type: 'string' },
      contenders: { type: 'string' }, python: { type: 'string' },
    },
  });
  const quick = Boolean(values.quick);
  const cells = list(values.cells ?? 'lstm,gru');
  const bad = cells.filter((cell) => cell !== 'lstm' && cell !== 'gru');
  if (bad.length) throw new UsageError(`train-speed: --cells expects lstm and/or gru, got ${bad.join(', ')}`);
  const options = {
    help: Boolean(values.help),
    json: Boolean(values.json),
    cells,
    hidden: list(values.hidden ?? (quick ? '32,128' : '32,128,512')).map((h) => Math.round(positive('hidden', h))),
    rounds: Math.round(positive('rounds', values.rounds ?? process.env.BENCH_ROUNDS ?? (quick ? 3 : 7))),
    roundSeconds: positive('round-seconds', values['round-seconds'] ?? (quick ? 0.25 : 1)),
    contenders: list(values.contenders ?? ''),
    python: values.python ?? '/usr/bin/python3',
    input: 32, steps: 64, batch: 32,
  };
  options.full = !quick && !values.cells && !values.hidden && !values.contenders;
  options.write = options.full && !values['no-write'];
  return options;
}
