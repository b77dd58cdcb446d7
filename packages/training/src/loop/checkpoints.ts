import { ConfigError, type TrainingState } from '@unfold/core';
import type { FitCallback } from './callbacks';

/**
 * Checkpoints: `onCheckpoint(state)` every `every` optimizer steps (counted over the whole run, so a resumed
 * run keeps the same rhythm) and once at the end. The end state is the loop's when it stopped, before
 * restore-best, so resuming it continues the same run. Not called when training fails (a divergence keeps
 * the last good checkpoint). With `@unfold/core/node`: `(state) => saveTrainingCheckpoint(registry, path, model, state)`.
 */
export function checkpointCallback(every: number | undefined, onCheckpoint: (state: TrainingState) => void | Promise<void>): FitCallback {
  if (every !== undefined && (!Number.isSafeInteger(every) || every < 1)) throw new ConfigError('invalid checkpointEvery', { where: 'fit', expected: 'an integer >= 1 (optimizer steps between checkpoints)', got: String(every) });
  return {
    name: 'checkpoint',
    async onStep(info, loop) {
      if (every !== undefined && info.step % every === 0) await onCheckpoint(loop.state());
    },
    async onEnd(_info, loop) {
      await onCheckpoint(loop.state());
    },
  };
}
