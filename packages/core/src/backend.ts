import { BackendError } from './errors';

type Tf = typeof import('@tensorflow/tfjs-core');

/**
 * Tensor backend setup. unfold computes in float32 on `@tensorflow/tfjs-core`; the WebAssembly backend
 * (XNNPACK) is the default in Node, Bun and Deno, the pure-JS cpu backend the fallback. Nothing happens
 * on import: call `setupBackend()` once before building models. tfjs is loaded here, at call time, so code
 * that only reads specs, checkpoints or errors (an edge server running ONNX) never loads it.
 */
export type BackendName = 'wasm' | 'cpu';

export interface BackendOptions {
  /** `auto` (default) tries wasm and falls back to cpu. */
  readonly backend?: BackendName | 'auto';
}

async function register(tf: Tf, name: BackendName): Promise<void> {
  if (tf.findBackendFactory(name)) return;
  // The tfjs backend packages register themselves with tfjs-core when first imported.
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  else await import('@tensorflow/tfjs-backend-cpu');
}

/**
 * tfjs-core keeps the gradients of its ops out of its Node build; only the @tensorflow/tfjs bundle
 * registers them (as an import side effect, which we trigger here, at setup time). Training needs them;
 * inference does not, so a missing @tensorflow/tfjs is reported only when gradients are first needed.
 */
async function registerGradients(tf: Tf): Promise<void> {
  if (tf.getGradient('Sum')) return;
  try {
    await import('@tensorflow/tfjs');
  } catch {
    // Reported by requireGradients() when a gradient is asked for.
  }
}

/** Throws a BackendError with the fix when op gradients are not registered (training needs them). */
export async function requireGradients(where: string): Promise<void> {
  const tf = await import('@tensorflow/tfjs-core');
  if (tf.getGradient('Sum')) return;
  throw new BackendError('tfjs op gradients are not registered', {
    where,
    expected: 'the gradients that @tensorflow/tfjs registers',
    got: 'none registered',
    fix: 'install @tensorflow/tfjs next to @tensorflow/tfjs-core and call setupBackend() before training',
  });
}

function silenceCpuBanner(tf: Tf): void {
  // The cpu backend prints a "use tfjs-node" banner on first use in Node; tfjs-node cannot install here
  // and wasm is our default, so the advice only misleads. Mark the backend as already used.
  const backend = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (backend && 'firstUse' in backend) backend.firstUse = false;
}

async function activate(tf: Tf, name: BackendName): Promise<void> {
  await register(tf, name);
  await registerGradients(tf);
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tfjs could not initialise the ${name} backend`);
  await tf.ready();
  if (name === 'cpu') silenceCpuBanner(tf);
  if (name === 'wasm') (await import('./wasm-kernels')).registerWasmFallbackKernels(tf);
}

/** Selects and initialises the tensor backend; returns the one in use. */
export async function setupBackend(options: BackendOptions = {}): Promise<BackendName> {
  const wanted = options.backend ?? 'auto';
  if (wanted !== 'auto' && wanted !== 'wasm' && wanted !== 'cpu') {
    throw new BackendError('unknown backend', { where: 'setupBackend', expected: '"auto", "wasm" or "cpu"', got: JSON.stringify(wanted) });
  }
  const order: BackendName[] = wanted === 'auto' ? ['wasm', 'cpu'] : [wanted];
  const tf = await import('@tensorflow/tfjs-core');
  const failures: string[] = [];
  for (const name of order) {
    if (tf.getBackend() === name) return name;
    try {
      await activate(tf, name);
      return name;
    } catch (cause) {
      failures.push(`${name}: ${(cause as Error)?.message ?? String(cause)}`);
    }
  }
  throw new BackendError('no tensor backend could start', {
    where: 'setupBackend',
    expected: order.join(' or '),
    got: failures.join('; '),
    fix: 'install @tensorflow/tfjs-backend-wasm (or @tensorflow/tfjs-backend-cpu) next to @tensorflow/tfjs-core',
  });
}
