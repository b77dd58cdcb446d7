// What a benchmark figure was measured on and with: the header every tools/bench/results/*.md starts with.
// CPU model and vector extensions (from /proc/cpuinfo where it exists), logical and physical cores, Node,
// onnxruntime-node and tfjs versions, the commit (and whether the tree had uncommitted changes), the exact
// command (repo-relative, with the BENCH_* and related environment variables that were set) and the load
// average when the results were written. A figure without these cannot be compared with another.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in tools/bench/src). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Environment variables that change what a bench measures; they are part of the command (BENCH_NOTE is not). */
const COMMAND_ENV = /^(BENCH_(?!NOTE$)|LOAD_SECONDS$|COLD_STARTS$|UNFOLD_|OPENBLAS_|OMP_|EXPERIMENT_)/;

/** The flags of /proc/cpuinfo that name SIMD extensions a kernel may use, in the order we print them. */
const VECTOR_FLAGS = [
  ['sse4_2', 'SSE4.2'], ['avx', 'AVX'], ['avx2', 'AVX2'], ['fma', 'FMA'], ['f16c', 'F16C'],
  ['avx512f', 'AVX-512F'], ['avx512bw', 'AVX-512BW'], ['avx512vl', 'AVX-512VL'], ['avx512_vnni', 'AVX-512 VNNI'], ['avx512_bf16', 'AVX-512 BF16'],
];

function cpuInfo() {
  const model = cpus()[0]?.model?.trim() || 'unknown';
  if (!existsSync('/proc/cpuinfo')) return { cpu: model, vectorExtensions: 'unknown (no /proc/cpuinfo)', avx2: null, avx512: null, physicalCores: null };
  const text = readFileSync('/proc/cpuinfo', 'utf8');
  const flags = new Set((/^flags\s*:(.*)$/m.exec(text)?.[1] ?? '').trim().split(/\s+/));
  const cores = new Set();
  for (const block of text.split(/\n\n+/)) {
    const field = (name) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(block)?.[1];
    if (field('processor') !== undefined) cores.add(`${field('physical id') ?? 0}/${field('core id') ?? field('processor')}`);
  }
  const present = VECTOR_FLAGS.filter(([flag]) => flags.has(flag)).map(([, name]) => name);
  // A virtual machine's model name may be bare ("AMD EPYC"): family and model tell the generation apart.
  const family = /^cpu family\s*:\s*(\d+)/m.exec(text)?.[1];
  const number = /^model\s*:\s*(\d+)/m.exec(text)?.[1];
  return {
    cpu: family ? `${model} (family ${family}, model ${number})` : model,
    vectorExtensions: present.join(', ') || 'none of SSE4.2/AVX/AVX2/AVX-512',
    avx2: flags.has('avx2'),
    avx512: flags.has('avx512f'),
    physicalCores: cores.size || null,
  };
}

/** The version in `<name>/package.json`, looked up from tools/bench then the repository root. */
export function packageVersion(name) {
  for (const base of [join(repoRoot, 'tools/bench/node_modules'), join(repoRoot, 'node_modules')]) {
    const file = join(base, name, 'package.json');
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')).version;
  }
  return 'not installed';
}

function git(args) {
  try {
    return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function commit() {
  const head = git(['rev-parse', '--short=10', 'HEAD']);
  if (!head) return 'unknown (not a git checkout)';
  const dirty = git(['status', '--porcelain', '--untracked-files=no', '--', 'packages', 'tools/bench/src']);
  return dirty ? `${head} + uncommitted changes in packages/ or tools/bench/src/` : head;
}

/** The command that produced this process's results, as typed from the repository root. */
export function command(argv = process.argv, env = process.env) {
  const vars = Object.keys(env).filter((key) => COMMAND_ENV.test(key)).sort().map((key) => `${key}=${env[key]}`);
  const script = argv[1] ? relative(repoRoot, argv[1]) : '';
  return [...vars, 'node', script, ...argv.slice(2)].filter(Boolean).join(' ');
}

/** Everything the header states, as one plain object (also stored in each results JSON under `machine`). */
export function machine() {
  const info = cpuInfo();
  return {
    date: new Date().toISOString().slice(0, 10),
    cpu: info.cpu,
    vectorExtensions: info.vectorExtensions,
    avx2: info.avx2,
    avx512: info.avx512,
    logicalCpus: cpus().length,
    physicalCores: info.physicalCores,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverage1m: Number(loadavg()[0].toFixed(2)),
    node: process.version,
    onnxruntimeNode: packageVersion('onnxruntime-node'),
    tfjs: packageVersion('@tensorflow/tfjs'),
    tfjsBackendWasm: packageVersion('@tensorflow/tfjs-backend-wasm'),
    commit: commit(),
    command: command(),
  };
}

/** The Markdown header lines for `info` (a `machine()` result). */
export function machineHeader(info) {
  const cores = info.physicalCores ? `${info.logicalCpus} logical CPUs (${info.physicalCores} physical cores)` : `${info.logicalCpus} logical CPUs`;
  return [
    `- Machine: ${info.cpu}, ${cores}, ${info.memoryGiB} GiB; vector extensions: ${info.vectorExtensions}${info.avx512 === false ? ' (no AVX-512)' : ''}`,
    `- Software: Node ${info.node}, onnxruntime-node ${info.onnxruntimeNode}, tfjs ${info.tfjs} (tfjs-backend-wasm ${info.tfjsBackendWasm})`,
    `- Commit: ${info.commit}`,
    `- Command: \`${info.command}\``,
    `- Date: ${info.date}; 1-minute load average when written: ${info.loadAverage1m}`,
  ].join('\n');
}
