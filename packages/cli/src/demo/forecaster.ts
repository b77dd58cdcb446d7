import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportModelFile } from '@unfold/onnx/node';
import { predict } from '@unfold/training';
import { forecasterOptions, trainForecaster } from '../commands/train';
import { runOnnxFile } from '../engines/onnxruntime';
import { forecasterReport } from '../report/model-reports';
import type { DemoJob } from './job';
import { compareValues, ExportMismatchError, loadExport } from './verify';

/** The presets: quick (the whole job in under a minute) and full. */
const PRESETS = { quick: { hidden: '16', window: '16', epochs: '3' }, full: { hidden: '32', window: '24', epochs: '24' } } as const;

/**
 * The Mackey-Glass forecaster (as `unfold train`): trains, exports forecaster.onnx, checks the export's
 * one-step forecasts on the held-out windows and its free-running rollout (the runtime's rollout with
 * feedback "window", as served) against the trained model.
 */
export const forecasterJob: DemoJob = {
  name: 'forecaster',
  async run({ dir, quick, seed, backend, io }) {
    const preset = quick ? PRESETS.quick : PRESETS.full;
    const options = forecasterOptions({ ...preset, seed: String(seed), backend, out: join(dir, 'forecaster.unfold') });
    const trained = await trainForecaster(options, io);
    try {
      const onnxPath = join(dir, 'forecaster.onnx');
      await exportModelFile(trained.registry, onnxPath, trained.model.toModelData());
      io.out(`exported to ${onnxPath}\n`);
      const bytes = new Uint8Array(await readFile(onnxPath));
      const windows = trained.test.x as number[][][];
      const expected = predict(trained.model, windows).map(([row]) => row?.[0] as number);
      const results = await runOnnxFile(bytes, { input: { shape: [windows.length, options.window, 1], data: windows.flat(2) } }, onnxPath);
      const forecasts = compareValues(Array.from(results.output?.data as Float32Array), expected, 1e-5, 1e-5);
      if (forecasts.failures > 0) throw new ExportMismatchError(`${forecasts.failures} of ${expected.length} forecasts`, `max |diff| ${forecasts.worst.toExponential(2)}`);
      io.out(`onnxruntime matches unfold on ${expected.length} held-out forecasts: max |diff| ${forecasts.worst.toExponential(2)}\n`);

      const { part, plot } = forecasterReport(trained, { name: 'forecaster', window: options.window, description: `one-step-ahead Mackey-Glass forecaster (τ = 17): LSTM with ${options.hidden} units over windows of ${options.window} steps` });
      const { mean, std } = trained.normalisation;
      const context = Array.from(trained.series.subarray(trained.testStart - options.window, trained.testStart), (z) => z * std + mean);
      const served = await loadExport(bytes, 'forecaster');
      try {
        const rolled = await served.rollout({ inputs: [context], steps: plot.rollout.length, feedback: 'window' });
        const got = rolled.kind === 'features' ? (rolled.outputs[0] ?? []).map((row) => row[0] as number) : [];
        // A free-running rollout feeds float32 rounding back into itself: allow it to grow a little.
        const rollout = compareValues(got, [...plot.rollout], 1e-4 * std, 1e-4);
        if (rollout.failures > 0) throw new ExportMismatchError(`the ${plot.rollout.length}-step rollout`, `${rollout.failures} steps differ, max |diff| ${rollout.worst.toExponential(2)}`);
        io.out(`onnxruntime's ${plot.rollout.length}-step free-running rollout matches unfold's: max |diff| ${rollout.worst.toExponential(2)}\n`);
      } finally {
        await served.release();
      }
      return part;
    } finally {
      trained.model.dispose();
    }
  },
};
