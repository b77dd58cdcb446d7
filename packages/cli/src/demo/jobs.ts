import { charLmJob } from './char-lm';
import { forecasterJob } from './forecaster';
import type { DemoJob } from './job';

/**
 * The models of the main job, trained in this order, exported into one folder and served together.
 * A further model is one more DemoJob here: the seq2seq model (encoder and decoder-step entries with
 * attention) writes its entry files to a sub-folder of the demo folder, which the server loads as one
 * multi-entry model, and returns its report part with an attention heat map (a `heatmap` section).
 */
export const DEMO_JOBS: readonly DemoJob[] = [forecasterJob, charLmJob];
