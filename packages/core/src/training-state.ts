import { SerializationError } from './errors';
import { formatShape, sameShape, type HostTensor, type WeightMap } from './host-tensor';
import { parseJsonLimited } from './json';

/**
 * The state of a training run between two optimizer steps: everything a fit loop needs to continue it so
 * that the rest of the run is bit-for-bit the run that never stopped. Plain data (host tensors, numbers),
 * so it travels in a checkpoint file (docs/checkpoint-format.md) and in memory alike.
 */
export interface TrainingState {
  /** The model's weights at this point (a checkpoint stores them as its model tensors). */
  readonly weights: WeightMap;
  readonly optimizer: OptimizerSnapshot;
  /**
   * The next batch: `epoch` (1-based) and its index in that epoch's sampler order (0-based). An index equal
   * to the epoch's number of batches means the epoch's batches are done and its end (history, validation,
   * early stopping) is still to come.
   */
  readonly position: { readonly epoch: number; readonly batch: number };
  /** Sums over the epoch in progress: Σ loss · batch size and Σ batch size (the epoch's mean loss). */
  readonly epochProgress: { readonly lossSum: number; readonly examples: number };
  /** The run's seed: sampler orders derive from (seed, epoch), each step's forward rng from (seed, step). */
  readonly seed: number;
  readonly history: readonly TrainingHistoryEntry[];
  /** Loss of every optimizer step so far, in order. */
  readonly stepLosses: readonly number[];
  /** The state of the loop's callbacks that keep one (early stopping, the divergence guard), by name. */
  readonly callbacks: Readonly<Record<string, CallbackSnapshot>>;
  /** What the run trained on; a resumed run must match it. */
  readonly data: { readonly examples: number; readonly batchSize: number };
}

export interface TrainingHistoryEntry {
  readonly epoch: number;
  readonly loss: number;
  readonly validationLoss?: number;
}

/**
 * An optimizer's state: its kind, the number of updates applied (it drives learning-rate and
 * scheduled-sampling schedules, and Adam's bias correction) and its slots, keyed `slot/parameter path`
 * (`m/body.cell.W`: Adam's first moment of that weight; `v/…`, `momentum/…`, `square/…`).
 */
export interface OptimizerSnapshot {
  readonly kind: string;
  readonly steps: number;
  readonly slots: WeightMap;
}

/** A callback's state: JSON, and tensors keyed by names without `/` prefixes of their own. */
export interface CallbackSnapshot {
  readonly json?: unknown;
  readonly tensors?: WeightMap;
}

export const TRAINING_STATE_FORMAT = 'unfold.training-state';
export const TRAINING_STATE_VERSION = 1;
/** Tensor-name prefixes of the training part of a checkpoint: never model parameters. */
export const OPTIMIZER_PREFIX = '__optimizer__/';
export const TRAINING_PREFIX = '__training__/';

export function isReservedTensorName(name: string): boolean {
  return name.startsWith(OPTIMIZER_PREFIX) || name.startsWith(TRAINING_PREFIX);
}

/** The training part as checkpoint metadata (JSON) and extra tensors under the reserved prefixes. */
export function encodeTrainingState(state: TrainingState): { metadata: string; tensors: Record<string, HostTensor> } {
  const tensors: Record<string, HostTensor> = {};
  for (const [name, tensor] of Object.entries(state.optimizer.slots)) tensors[`${OPTIMIZER_PREFIX}${name}`] = tensor;
  const callbacks: Record<string, unknown> = {};
  for (const [callback, snapshot] of Object.entries(state.callbacks)) {
    if (callback.includes('/') || !callback) throw new SerializationError('invalid callback name in the training state', { where: 'serializeTrainingCheckpoint', expected: 'a non-empty name without "/"', got: JSON.stringify(callback) });
    for (const [name, tensor] of Object.entries(snapshot.tensors ?? {})) tensors[`${TRAINING_PREFIX}${callback}/${name}`] = tensor;
    callbacks[callback] = snapshot.json === undefined ? {} : { json: snapshot.json };
  }
  const { weights: _weights, optimizer, callbacks: _callbacks, ...rest } = state;
  const metadata = JSON.stringify({ format: TRAINING_STATE_FORMAT, version: TRAINING_STATE_VERSION, ...rest, optimizer: { kind: optimizer.kind, steps: optimizer.steps }, callbacks });
  return { metadata, tensors };
}

function invalid(where: string, what: string, got: unknown): never {
  throw new SerializationError('invalid training state', { where, expected: what, got: typeof got === 'string' ? got : JSON.stringify(got)?.slice(0, 80) ?? String(got), fix: 'the training part of this checkpoint is corrupt or was not written by unfold; resume from another checkpoint or train from its weights' });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function checkHistory(value: unknown, where: string): TrainingHistoryEntry[] {
  if (!Array.isArray(value)) invalid(where, 'history: an array', value);
  return value.map((entry, i) => {
    if (!isObject(entry) || !isCount(entry.epoch) || !isNumber(entry.loss) || (entry.validationLoss !== undefined && !isNumber(entry.validationLoss))) invalid(where, `history[${i}]: { epoch, loss, validationLoss? }`, entry);
    return entry as unknown as TrainingHistoryEntry;
  });
}

/**
 * Reads the training part back: the metadata JSON and the reserved tensors, checked against the model's
 * weights (every optimizer slot names a weight and has its shape; every tensor belongs to the state).
 */
export function decodeTrainingState(metadata: string, tensors: WeightMap, weights: WeightMap, where: string): TrainingState {
  const parsed = parseJsonLimited(metadata);
  if (!parsed.ok) invalid(where, 'JSON under __metadata__.training', parsed.reason === 'depth' ? parsed.message : metadata.slice(0, 60));
  const raw = parsed.value;
  if (!isObject(raw) || raw.format !== TRAINING_STATE_FORMAT) invalid(where, `format ${TRAINING_STATE_FORMAT}`, isObject(raw) ? raw.format : raw);
  if (raw.version !== TRAINING_STATE_VERSION) invalid(where, `version ${TRAINING_STATE_VERSION}`, raw.version);
  const { optimizer, position, epochProgress, seed, stepLosses, callbacks, data } = raw;
  if (!isObject(optimizer) || typeof optimizer.kind !== 'string' || !isCount(optimizer.steps)) invalid(where, 'optimizer: { kind, steps }', optimizer);
  if (!isObject(position) || !isCount(position.epoch) || position.epoch < 1 || !isCount(position.batch)) invalid(where, 'position: { epoch >= 1, batch >= 0 }', position);
  if (!isObject(epochProgress) || !isNumber(epochProgress.lossSum) || !isCount(epochProgress.examples)) invalid(where, 'epochProgress: { lossSum, examples }', epochProgress);
  if (!isNumber(seed)) invalid(where, 'seed: a number', seed);
  if (!Array.isArray(stepLosses) || !stepLosses.every(isNumber)) invalid(where, 'stepLosses: finite numbers', stepLosses);
  if (!isObject(data) || !isCount(data.examples) || !isCount(data.batchSize)) invalid(where, 'data: { examples, batchSize }', data);
  if (!isObject(callbacks) || !Object.values(callbacks).every(isObject)) invalid(where, 'callbacks: { name: { json? } }', callbacks);
  const slots: Record<string, HostTensor> = Object.create(null) as Record<string, HostTensor>;
  const callbackTensors = new Map<string, Record<string, HostTensor>>();
  for (const [name, tensor] of Object.entries(tensors)) {
    if (name.startsWith(OPTIMIZER_PREFIX)) {
      const key = name.slice(OPTIMIZER_PREFIX.length);
      const path = key.slice(key.indexOf('/') + 1);
      const weight = weights[path];
      if (key.indexOf('/') < 1 || !weight) invalid(where, `optimizer slots named ${OPTIMIZER_PREFIX}<slot>/<weight name>`, name);
      if (!sameShape(weight.shape, tensor.shape)) invalid(where, `${name}: the shape of ${path}, ${formatShape(weight.shape)}`, formatShape(tensor.shape));
      slots[key] = tensor;
    } else {
      const key = name.slice(TRAINING_PREFIX.length);
      const callback = key.slice(0, key.indexOf('/'));
      if (!callback || !Object.hasOwn(callbacks, callback)) invalid(where, `callback tensors named ${TRAINING_PREFIX}<callback in the state>/<name>`, name);
      const forCallback = callbackTensors.get(callback) ?? (Object.create(null) as Record<string, HostTensor>);
      forCallback[key.slice(callback.length + 1)] = tensor;
      callbackTensors.set(callback, forCallback);
    }
  }
  const callbackState = Object.fromEntries(
    Object.entries(callbacks).map(([name, value]) => [name, { ...((value as { json?: unknown }).json !== undefined ? { json: (value as { json?: unknown }).json } : {}), ...(callbackTensors.has(name) ? { tensors: callbackTensors.get(name) } : {}) }]),
  );
  return {
    weights,
    optimizer: { kind: optimizer.kind, steps: optimizer.steps, slots },
    position: { epoch: position.epoch, batch: position.batch },
    epochProgress: { lossSum: epochProgress.lossSum, examples: epochProgress.examples },
    seed,
    history: checkHistory(raw.history, where),
    stepLosses: stepLosses as number[],
    callbacks: callbackState,
    data: { examples: data.examples, batchSize: data.batchSize },
  };
}
