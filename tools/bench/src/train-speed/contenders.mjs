// The contenders of the training bench and how each one's process starts. JavaScript ones run
// node-contender.mjs; PyTorch ones run pytorch/train_speed.py under the system Python when it imports
// torch. Environment contracts, fixed before the child imports anything:
//   unfold        UNFOLD_KERNELS removed: the library's default training path;
//   unfold-tfjs   UNFOLD_KERNELS=off: today's tfjs path, forced;
//   pytorch-Nt    torch.set_num_threads(N), the environment as found (OPENBLAS_CORETYPE included);
//   pytorch-Nt-coretype-unset  the same without OPENBLAS_CORETYPE (added only when it is set).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { UsageError } from './options.mjs';
import { startChild } from './protocol.mjs';

const NODE_CONTENDER = fileURLToPath(new URL('./node-contender.mjs', import.meta.url));
const PYTORCH_CONTENDER = fileURLToPath(new URL('./pytorch/train_speed.py', import.meta.url));
export const PYTORCH_THREADS = [1, 2];

function childEnv(changes) {
  const env = { ...process.env, ORT_DISABLE_TELEMETRY: '1' };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

const javascript = [
  { name: 'unfold', engine: 'tfjs-wasm', argv: ['unfold'], env: { UNFOLD_KERNELS: undefined } },
  { name: 'unfold-tfjs', engine: 'tfjs-wasm', argv: ['unfold'], env: { UNFOLD_KERNELS: 'off' } },
  { name: 'tfjs-layers', engine: 'tfjs-wasm', argv: ['tfjs-layers'], env: {} },
].map((c) => ({ ...c, start: () => startChild(c.name, process.execPath, [NODE_CONTENDER, ...c.argv], childEnv(c.env)) }));

/** Why `python -c 'import torch'` fails, or null when it works. */
export function torchUnavailable(python) {
  try {
    execFileSync(python, ['-c', 'import torch'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
    return null;
  } catch (error) {
    const stderr = String(error.stderr ?? '').trim().split('\n').pop();
    return `\`${python} -c 'import torch'\` failed: ${stderr || error.message}`;
  }
}

function pytorch(python) {
  const coretype = process.env.OPENBLAS_CORETYPE;
  const variants = [{ suffix: '', env: {} }, ...(coretype ? [{ suffix: '-coretype-unset', env: { OPENBLAS_CORETYPE: undefined } }] : [])];
  return variants.flatMap((variant) =>
    PYTORCH_THREADS.map((threads) => {
      const name = `pytorch-${threads}t${variant.suffix}`;
      return { name, engine: 'pytorch', threads, start: () => startChild(name, python, [PYTORCH_CONTENDER, String(threads)], childEnv(variant.env)) };
    }),
  );
}

/** Every contender name `--contenders` accepts (the -coretype-unset variants follow their base name). */
export const CONTENDER_NAMES = [...javascript.map((c) => c.name), ...PYTORCH_THREADS.map((threads) => `pytorch-${threads}t`)];

/**
 * The contenders `wanted` (names, or all when empty) that can run here, and those skipped with the reason
 * (PyTorch without torch).
 */
export function contenders(wanted, python) {
  const unknown = wanted.filter((name) => !CONTENDER_NAMES.includes(name));
  if (unknown.length) throw new UsageError(`train-speed: --contenders expects some of ${CONTENDER_NAMES.join(', ')}, got ${unknown.join(', ')}`);
  const wants = (name) => !wanted.length || wanted.includes(name.replace(/-coretype-unset$/, ''));
  const wantsTorch = PYTORCH_THREADS.some((threads) => wants(`pytorch-${threads}t`));
  const missingTorch = wantsTorch ? torchUnavailable(python) : null;
  const picked = [...javascript, ...(wantsTorch && !missingTorch ? pytorch(python) : [])].filter((c) => wants(c.name));
  const skipped = missingTorch ? [{ contenders: PYTORCH_THREADS.map((t) => `pytorch-${t}t`).filter(wants).join(', '), reason: missingTorch }] : [];
  return { picked, skipped };
}
