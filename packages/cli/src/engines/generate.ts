import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { deserializeModel, isSequenceLayer, resolveModel, setupBackend, type Registry } from '@unfold/core';
import { parseJsonLimited } from '@unfold/core/json';
import type { EngineName } from '@unfold/edge/node';
import { createModel, translate, type TranslateOptions } from '@unfold/training';
import { UsageError } from '../usage-error';
import { engineRuntime } from './engine-runtime';

/**
 * `unfold run` on a seq2seq model: the inputs file is a generate request, `{"inputs": ["source text", …],
 * "strategy": "greedy" | "beam" | "sample", "maxLength", "beamWidth", "alpha", "nBest", "temperature",
 * "topK", "topP", "seed"}` (POST /models/:name/generate's body). An exported folder (encoder.onnx +
 * decoder_step.onnx) decodes through @unfold/runtime on an ONNX engine (default onnxruntime-node); a checkpoint decodes in unfold
 * (`translate`). Both answer `{ outputs, tokens, scores }` and, with nBest > 1, `nBest`.
 */
export async function isFolder(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
}

/** True when a checkpoint's model exports entries of its own (a seq2seq model). */
export function declaresEntries(registry: Registry, bytes: Uint8Array, path: string): boolean {
  const root = resolveModel(registry, deserializeModel(registry, bytes, path).spec);
  return isSequenceLayer(root.plugin) && root.plugin.exports !== undefined;
}

function readRequest(text: string, file: string): Record<string, unknown> {
  const parsed = parseJsonLimited(text);
  if (!parsed.ok) throw new UsageError(`${file}: ${parsed.message}`, 'write a JSON object, such as {"inputs": ["source text"]}');
  const request = parsed.value;
  if (typeof request !== 'object' || request === null || Array.isArray(request)) throw new UsageError(`${file} is not a generate request`, 'write {"inputs": ["source text"], "strategy": "greedy"} (see unfold run --help)');
  return request as Record<string, unknown>;
}

/** Decodes with an exported seq2seq folder on `engine`. */
export async function generateWithFolder(folder: string, requestText: string, requestFile: string, engine: EngineName = 'ort-node'): Promise<Readonly<Record<string, unknown>>> {
  const names = (await readdir(folder)).filter((f) => extname(f) === '.onnx').sort();
  if (names.length === 0) throw new UsageError(`${folder} holds no .onnx files`, 'pass the folder unfold export wrote for a seq2seq model');
  const files = Object.fromEntries(await Promise.all(names.map(async (name) => [name, new Uint8Array(await readFile(join(folder, name)))] as const)));
  const runtime = await engineRuntime(engine);
  const model = await runtime.loadEntries(basename(folder), files);
  try {
    return await model.run('generate', readRequest(requestText, requestFile));
  } finally {
    await model.release();
  }
}

/** Decodes with a seq2seq checkpoint in unfold. */
export async function generateWithCheckpoint(registry: Registry, bytes: Uint8Array, path: string, requestText: string, requestFile: string): Promise<Readonly<Record<string, unknown>>> {
  const { inputs, ...options } = readRequest(requestText, requestFile);
  const sources = typeof inputs === 'string' ? [inputs] : inputs;
  if (!Array.isArray(sources) || sources.length === 0) throw new UsageError(`${requestFile}: "inputs" must be a source text or a list of them`, 'write {"inputs": ["source text"]}');
  const data = deserializeModel(registry, bytes, path);
  await setupBackend();
  const model = createModel(registry, data.spec, { weights: data.weights });
  try {
    const found = await translate(model, sources as string[], options as TranslateOptions);
    const nBest = typeof options.nBest === 'number' && options.nBest > 1;
    return {
      outputs: found.map((t) => t.text ?? null),
      tokens: found.map((t) => [...t.tokens]),
      scores: found.map((t) => t.score),
      ...(nBest ? { nBest: found.map((t) => t.nBest.map((h) => ({ tokens: [...h.tokens], score: h.score, logProb: h.logProb }))) } : {}),
    };
  } finally {
    model.dispose();
  }
}
