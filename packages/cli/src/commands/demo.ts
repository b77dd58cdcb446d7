import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DEMO_JOBS } from '../demo/jobs';
import type { Io } from '../io';
import { checkPortFree, serveOnPort } from '../listen';
import { choiceOption, integerOption, parseOptions, portOption } from '../options';
import type { ReportModel } from '../report/types';
import { writeReport } from '../report/write';

export const DEMO_HELP = `unfold demo — the main job: train, export, check and serve a forecaster, a character language model and an encoder–decoder

Usage: unfold demo [options]

Trains, in turn, the Mackey-Glass forecaster (LSTM, one step ahead), the character language model of
examples/specs/char-lm.json on examples/data/text.jsonl and the encoder–decoder with attention of
examples/specs/seq2seq-attention.json on examples/data/pairs.jsonl (reversing strings); exports each to ONNX
(the encoder–decoder as a folder); checks each export in onnxruntime against the trained model (forecasts
and the free-running rollout; logits and generated text; decoded tokens, greedy and beam); writes the
training report (report.html, self-contained: loss curves, the forecast against the truth with the
rollout, sampled text, next-character probabilities, decoded samples and attention) next to the models;
then serves every model over HTTP and prints curl examples for predict, stream, rollout and generate.

Options:
  --quick            smaller models and fewer epochs (5 s on 2 cores here; the full job 24 s)
  --dir <folder>     where the checkpoints, .onnx files and the report go (default unfold-demo)
  --seed <n>         seed for weights and shuffling (default 1)
  --backend <wasm|cpu>  tensor backend (default wasm)
  --host <address>   address to serve on (default 127.0.0.1)
  --port <n>         port (default 8080; 0 picks a free one)
  --no-serve         stop after the report
  -h, --help         show this help
`;

const OPTIONS = {
  quick: { type: 'boolean' },
  dir: { type: 'string' },
  seed: { type: 'string' },
  backend: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'no-serve': { type: 'boolean' },
} as const;

export async function demo(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseOptions('demo', argv, OPTIONS);
  if (values.help) {
    io.out(DEMO_HELP);
    return 0;
  }
  const dir = resolve(values.dir ?? 'unfold-demo');
  const context = { dir, quick: values.quick === true, seed: integerOption(values.seed, 'seed', 1, 0), backend: choiceOption(values.backend, 'backend', ['wasm', 'cpu'] as const, 'wasm'), io };
  const port = portOption(values.port, 8080);
  const host = values.host ?? '127.0.0.1';
  if (!values['no-serve']) await checkPortFree(host, port); // before the training, not after it
  await mkdir(dir, { recursive: true });
  const parts: ReportModel[] = [];
  for (const job of DEMO_JOBS) {
    const started = Date.now();
    io.out(`\n== ${job.name}\n`);
    parts.push(await job.run(context));
    io.out(`${job.name}: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  const report = await writeReport(dir, { title: 'unfold — the main job', subtitle: `${listed(parts.map((p) => p.name))}, trained ${context.quick ? 'with the quick preset ' : ''}by unfold demo (seed ${context.seed})`, models: parts });
  io.out(`\nreport written to ${report} (open it in a browser)\n`);
  if (values['no-serve']) return 0;
  const server = await serveOnPort({ models: dir, host, port });
  io.out(`serving ${server.models.join(', ')} at ${server.url} (Ctrl-C to stop)\n${server.examples.join('\n')}\n`);
  await new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  await server.close();
  return 0;
}

/** `a`, `a and b`, `a, b and c`. */
function listed(names: readonly string[]): string {
  return names.length <= 2 ? names.join(' and ') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
