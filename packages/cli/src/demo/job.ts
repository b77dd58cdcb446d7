import type { Io } from '../io';
import type { ReportModel } from '../report/types';

/** What every model of the main job gets: where to write, which preset, the seed and the backend. */
export interface DemoContext {
  /** The folder the models, their checkpoints and the report go to; it is what the server serves. */
  readonly dir: string;
  /** The quick preset (smaller models, fewer epochs: the whole job in under a minute on 2 cores). */
  readonly quick: boolean;
  readonly seed: number;
  readonly backend: 'wasm' | 'cpu';
  readonly io: Io;
}

/**
 * One model of the main job: trains it, writes its checkpoint and its ONNX export (a `.onnx` file, or a
 * sub-folder of entry files for a multi-entry model) into the demo folder, checks the export in
 * onnxruntime against the trained model, and returns its part of the training report. A failed check
 * throws (an internal error: the export disagrees with the model).
 */
export interface DemoJob {
  readonly name: string;
  run(context: DemoContext): Promise<ReportModel>;
}
