// The contenders of the training bench and how each one's process starts. JavaScript ones run
// node-contender.mjs; PyTorch ones run pytorch/train_speed.py under the system Python when it imports
// torch. Environment contracts, fixed before the child imports anything:
//   unfold          UNFOLD_KERNELS and UNFOLD_KERNEL_THREADS removed: the library's default training path
//                   (the WebAssembly SIMD kernels, on 2 threads where the machine has 2 cores);
//   unfold-1t       the same with UNFOLD_KERNEL_THREADS=1: the kernels on one thread;
//   unfold-relaxed  the default path in a Node started with --experimental-wasm-relaxed-simd (when this
//                   Node does not validate relaxed SIMD already): the relaxed-SIMD (FMA) kernels, what
//                   Node ≥ 22 runs by default;
//   unfold-tfjs     UNFOLD_KERNELS=off: the tfjs path, forced;
//   pytorch-Nt    torch.set_num_threads(N), the environment as found (OPENBLAS_CORETYPE included);
//   pytorch-Nt-coretype-unset  the same without OPENBLAS_CORETYPE (added only when it is set).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readKernelModules } from './kernel-ceiling.mjs';
import { UsageError } from './options.mjs';
import { startChild } from './protocol.mjs';

const NODE_CONTENDER = fileURLToPath(new URL('./node-contender.mjs', import.meta.url));
const CEILING_CHILD = fileURLToPath(new URL('./ceiling-child.mjs', import.meta.url));
const RELAXED_SIMD_FLAG = '--experimental-wasm-relaxed-simd';
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

/** The Node flag that enables relaxed SIMD here: none when this Node validates the relaxed build already (Node ≥ 22). */
export function relaxedSimdFlags() {
  const relaxed = readKernelModules().RELAXED_SIMD_WASM;
  return WebAssembly.validate(Buffer.from(relaxed, 'base64')) ? [] : [RELAXED_SIMD_FLAG];
}

const DEFAULT_KERNELS = { UNFOLD_KERNELS: undefined, UNFOLD_KERNEL_THREADS: undefined };
const javascript = [
  { name: 'unfold', engine: 'tfjs-wasm', argv: ['unfold'], env: DEFAULT_KERNELS },
  { name: 'unfold-1t', engine: 'tfjs-wasm', argv: ['unfold'], env: { ...DEFAULT_KERNELS, UNFOLD_KERNEL_THREADS: '1' } },
  { name: 'unfold-relaxed', engine: 'tfjs-wasm', argv: ['unfold'], env: DEFAULT_KERNELS, relaxed: true },
  { name: 'unfold-tfjs', engine: 'tfjs-wasm', argv: ['unfold'], env: { UNFOLD_KERNELS: 'off' } },
  { name: 'tfjs-layers', engine: 'tfjs-wasm', argv: ['tfjs-layers'], env: {} },
].map((c) => ({
  ...c,
  kernels: c.argv[0] === 'unfold' && c.env.UNFOLD_KERNELS !== 'off',
  start: () => startChild(c.name, process.execPath, [...(c.relaxed ? relaxedSimdFlags() : []), NODE_CONTENDER, ...c.argv], childEnv(c.env)),
}));

/** The process that measures the ceilings (ceiling-child.mjs), with relaxed SIMD enabled so both kernel builds are timed. */
export function startCeilingChild() {
  return startChild('ceilings', process.execPath, [...relaxedSimdFlags(), CEILING_CHILD], childEnv({}));
}

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
