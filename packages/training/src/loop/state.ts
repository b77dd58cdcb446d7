import { ConfigError, type OptimizerSnapshot, type TrainingState } from '@unfold/core';
import type { Model } from '../model';
import type { Optimizer } from '../optimizers/optimizer';
import type { FitCallback } from './callbacks';

/** The parameter paths of the model's trainable variables, in the optimizer's (variable index) order. */
function trainableNames(model: Model): string[] {
  const names = new Map([...model.variables].map(([name, variable]) => [variable, name]));
  return model.trainable.map((variable) => names.get(variable) as string);
}

/** The optimizer's state with its slots keyed `slot/parameter path`. */
export function optimizerSnapshot(model: Model, optimizer: Optimizer): OptimizerSnapshot {
  const names = trainableNames(model);
  const { steps, slots } = optimizer.exportState();
  return { kind: optimizer.kind, steps, slots: Object.fromEntries(slots.map(({ slot, index, tensor }) => [`${slot}/${names[index]}`, tensor])) };
}

function mismatch(what: string, expected: string, got: string): ConfigError {
  return new ConfigError(`cannot resume: ${what} differs`, { where: 'fit resume', expected, got, fix: 'resume with the data, batch size, optimizer and seed of the run that wrote the state' });
}

/** Checks a state against this run and loads its weights, optimizer state and callbacks' state. */
export function restoreState(model: Model, optimizer: Optimizer, callbacks: readonly FitCallback[], state: TrainingState, run: { examples: number; batchSize: number; seed?: number }): void {
  if (state.data.examples !== run.examples) throw mismatch('the number of examples', String(state.data.examples), String(run.examples));
  if (state.data.batchSize !== run.batchSize) throw mismatch('the batch size', String(state.data.batchSize), String(run.batchSize));
  if (state.optimizer.kind !== optimizer.kind) throw mismatch('the optimizer', state.optimizer.kind, optimizer.kind);
  if (run.seed !== undefined && run.seed !== state.seed) throw mismatch('the seed', String(state.seed), String(run.seed));
  model.setWeights(state.weights);
  const index = new Map(trainableNames(model).map((name, i) => [name, i]));
  const slots = Object.entries(state.optimizer.slots).map(([key, tensor]) => {
    const cut = key.indexOf('/');
    const at = index.get(key.slice(cut + 1));
    if (cut < 1 || at === undefined) throw new ConfigError('cannot resume: an optimizer slot names no trainable weight', { where: 'fit resume', expected: `slot/path with a path among ${[...index.keys()].join(', ')}`, got: key });
    return { slot: key.slice(0, cut), index: at, tensor };
  });
  optimizer.importState({ steps: state.optimizer.steps, slots });
  for (const callback of callbacks) {
    const snapshot = state.callbacks[callback.name];
    if (snapshot && callback.loadState) callback.loadState(snapshot);
  }
}

/** The callbacks' state, by name. */
export function callbackSnapshots(callbacks: readonly FitCallback[]): TrainingState['callbacks'] {
  return Object.fromEntries(callbacks.flatMap((callback) => (callback.saveState ? [[callback.name, callback.saveState()]] : [])));
}
