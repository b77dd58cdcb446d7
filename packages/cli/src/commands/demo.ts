import { readFile } from 'node:fs/promises';
import { serveNode } from '@unfold/edge/node';
import { exportModelFile } from '@unfold/onnx/node';
import { predict } from '@unfold/training';
import { runWithOnnxruntime } from '../engines/onnxruntime';
import type { Io } from '../io';
import { integerOption, parseOptions } from '../options';
import { forecasterOptions, TRAIN_OPTIONS, trainForecaster } from './train';

export const DEMO_HELP = `unfold demo — the main job: train, export, check and serve a forecaster

Usage: unfold demo [options]

Trains the Mackey-Glass forecaster (as unfold train, same options), exports it to ONNX next to the
checkpoint, checks the .onnx file in onnxruntime against unfold's own forward pass on the held-out
windows, then serves it over HTTP on 127.0.0.1 and prints curl examples for predict, stream and rollout.

Options (plus every option of unfold train):
  --host <address>   address to serve on (default 127.0.0.1)
  --port <n>         port (default 8080; 0 picks a free one)
  --no-serve         stop after the check
  -h, --help         show this help
`;

export async function demo(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseOptions('demo', argv, { ...TRAIN_OPTIONS, host: { type: 'string' }, port: { type: 'string' }, 'no-serve': { type: 'boolean' } });
  if (values.help) {
    io.out(DEMO_HELP);
    return 0;
  }
  const options = forecasterOptions(values);
  const port = integerOption(values.port, 'port', 8080, 0);
  const trained = await trainForecaster(options, io);
  const onnxPath = options.out.replace(/(\.unfold)?$/, '.onnx');
  try {
    await exportModelFile(trained.registry, onnxPath, trained.model.toModelData());
    io.out(`exported to ${onnxPath}\n`);
    const windows = trained.test.x as number[][][];
    const expected = predict(trained.model, windows).map(([row]) => row?.[0] as number);
    const input = { shape: [windows.length, options.window, 1], data: windows.flat(2) };
    const results = await runWithOnnxruntime(new Uint8Array(await readFile(onnxPath)), { input }, onnxPath);
    const got = Array.from(results.output?.data as Float32Array);
    let worst = 0;
    let failures = 0;
    expected.forEach((b, i) => {
      const diff = Math.abs((got[i] as number) - b);
      worst = Math.max(worst, diff);
      if (!(diff <= 1e-5 + 1e-5 * Math.abs(b))) failures++;
    });
    if (failures > 0) {
      io.err(`unfold: internal error: onnxruntime disagrees with unfold on ${failures} of ${expected.length} forecasts (max |diff| ${worst.toExponential(2)})\n`);
      return 1;
    }
    io.out(`onnxruntime matches unfold on ${expected.length} held-out forecasts: max |diff| ${worst.toExponential(2)}\n`);
  } finally {
    trained.model.dispose();
  }
  if (values['no-serve']) return 0;
  const server = await serveNode({ models: onnxPath, host: values.host ?? '127.0.0.1', port });
  io.out(`serving ${server.models.join(', ')} at ${server.url} (Ctrl-C to stop)\n${server.examples.join('\n')}\n`);
  await new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  await server.close();
  return 0;
}
