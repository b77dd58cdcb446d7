// The Worker's configuration: plain-text vars (wrangler `vars` or `--var NAME:value`), read on each request.
import { ENGINE_NAMES, isEngineName, type EngineName } from '../engines/names';
import { hostName, type AllowedHosts } from '../hosts';
import type { EdgeLimits } from '../limits';

/** The Worker's bindings the entries read: optional limits, hosts and engine as plain-text vars. */
export interface WorkerEnv {
  readonly UNFOLD_MAX_BODY_BYTES?: string;
  readonly UNFOLD_MAX_BATCH?: string;
  readonly UNFOLD_MAX_TIME?: string;
  readonly UNFOLD_MAX_ELEMENTS?: string;
  readonly UNFOLD_MAX_ROLLOUT_STEPS?: string;
  readonly UNFOLD_MAX_STEPS?: string;
  readonly UNFOLD_MAX_OUTPUT_ELEMENTS?: string;
  readonly UNFOLD_MAX_NODES?: string;
  readonly UNFOLD_MAX_DEPTH?: string;
  readonly UNFOLD_MAX_JSON_DEPTH?: string;
  readonly UNFOLD_MAX_RESPONSE_BYTES?: string;
  readonly UNFOLD_MAX_CONCURRENT?: string;
  readonly UNFOLD_MAX_QUEUE?: string;
  readonly UNFOLD_HEAVY_BODY_BYTES?: string;
  readonly UNFOLD_MAX_HEAVY_CONCURRENT?: string;
  readonly UNFOLD_MAX_HEAVY_QUEUE?: string;
  readonly UNFOLD_MAX_REQUEST_MS?: string;
  /** Comma-separated Host names answered (default: any; a deployed Worker is reached by its own domain). */
  readonly UNFOLD_ALLOWED_HOSTS?: string;
  /** The engine, among those the Worker was built with (engineFromEnv). */
  readonly UNFOLD_ENGINE?: string;
}

const LIMIT_VARS: readonly (readonly [keyof WorkerEnv, keyof EdgeLimits])[] = [
  ['UNFOLD_MAX_BODY_BYTES', 'maxBodyBytes'],
  ['UNFOLD_MAX_BATCH', 'maxBatch'],
  ['UNFOLD_MAX_TIME', 'maxTime'],
  ['UNFOLD_MAX_ELEMENTS', 'maxElements'],
  ['UNFOLD_MAX_ROLLOUT_STEPS', 'maxRolloutSteps'],
  ['UNFOLD_MAX_STEPS', 'maxSteps'],
  ['UNFOLD_MAX_OUTPUT_ELEMENTS', 'maxOutputElements'],
  ['UNFOLD_MAX_NODES', 'maxNodes'],
  ['UNFOLD_MAX_DEPTH', 'maxDepth'],
  ['UNFOLD_MAX_JSON_DEPTH', 'maxJsonDepth'],
  ['UNFOLD_MAX_RESPONSE_BYTES', 'maxResponseBytes'],
  ['UNFOLD_MAX_CONCURRENT', 'maxConcurrent'],
  ['UNFOLD_MAX_QUEUE', 'maxQueue'],
  ['UNFOLD_HEAVY_BODY_BYTES', 'heavyBodyBytes'],
  ['UNFOLD_MAX_HEAVY_CONCURRENT', 'maxHeavyConcurrent'],
  ['UNFOLD_MAX_HEAVY_QUEUE', 'maxHeavyQueue'],
  ['UNFOLD_MAX_REQUEST_MS', 'maxRequestMs'],
];

/** `UNFOLD_ALLOWED_HOSTS` as the handler's allowed hosts; unset: any Host (see hosts.ts). */
export function allowedHostsFromEnv(env: WorkerEnv = {}): AllowedHosts {
  const names = (env.UNFOLD_ALLOWED_HOSTS ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  return names.length === 0 || names.includes('*') ? '*' : names.map(hostName);
}

/** Limits from the Worker's vars; a var that is not a positive integer is a configuration fault (thrown). */
export function limitsFromEnv(env: WorkerEnv = {}): Partial<EdgeLimits> {
  const limits: Partial<Record<keyof EdgeLimits, number>> = {};
  for (const [name, key] of LIMIT_VARS) {
    const text = env[name];
    if (text === undefined || text === '') continue;
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer; got ${JSON.stringify(text)}`);
    limits[key] = value;
  }
  return limits;
}


/**
 * `UNFOLD_ENGINE` among the engines this Worker was built with (`built`; the first is the default). A
 * Worker carries only its own engine's code, so asking the compact Worker for onnxruntime-web is a
 * configuration fault (thrown) naming the config that has it.
 */
export function engineFromEnv(env: WorkerEnv, built: readonly EngineName[], other: string): EngineName {
  const text = env.UNFOLD_ENGINE;
  if (text === undefined || text === '') return built[0] as EngineName;
  if (!isEngineName(text)) throw new RangeError(`UNFOLD_ENGINE must be one of ${ENGINE_NAMES.join(', ')}; got ${JSON.stringify(text)}`);
  if (!built.includes(text)) throw new RangeError(`UNFOLD_ENGINE=${text}: this Worker is built with ${built.join(' / ')} only; deploy ${other} for ${text}`);
  return text;
}
