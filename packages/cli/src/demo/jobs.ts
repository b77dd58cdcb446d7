import { charLmJob } from './char-lm';
import { forecasterJob } from './forecaster';
import { seq2seqJob } from './seq2seq';
import type { DemoJob } from './job';

/**
 * The models of the main job, trained in this order, exported into one folder and served together. The
 * seq2seq model writes its entry files to a sub-folder (`reverse/`), which the server loads as one
 * multi-entry model, and reports an attention heat map. A further model is one more DemoJob here.
 */
export const DEMO_JOBS: readonly DemoJob[] = [forecasterJob, charLmJob, seq2seqJob];
