import { createRuntime, type UnfoldModel } from '@unfold/runtime';
import * as ort from 'onnxruntime-web';

/**
 * What the browser test runs in headless Chromium: @unfold/runtime over onnxruntime-web, the model fetched
 * from the test's server. Importing this module does nothing; the test calls `runInBrowser`.
 */
export interface BrowserRun {
  readonly model: string;
  readonly threads: number;
  readonly predict: { readonly inputs: number[][][] };
  readonly stream: { readonly chunks: readonly number[][][][] };
}

export interface BrowserResult {
  readonly crossOriginIsolated: boolean;
  /** onnxruntime-web's thread count after initialising (it falls back to 1 where threads cannot run). */
  readonly threads: number;
  readonly versions: Readonly<Record<string, string>>;
  readonly predict: unknown;
  readonly chunks: readonly { outputs: unknown; state: unknown }[];
}

export async function runInBrowser(run: BrowserRun): Promise<BrowserResult> {
  ort.env.wasm.numThreads = run.threads;
  ort.env.logLevel = 'error';
  const response = await fetch(run.model);
  if (!response.ok) throw new Error(`GET ${run.model}: ${response.status}`);
  const runtime = createRuntime(ort);
  const model = (await runtime.load(new Uint8Array(await response.arrayBuffer()), { name: 'browser' })) as UnfoldModel;
  try {
    const predict = await model.predict({ inputs: run.predict.inputs });
    const chunks: { outputs: unknown; state: unknown }[] = [];
    let state: unknown;
    for (const inputs of run.stream.chunks) {
      const part = await model.stream({ inputs, ...(state ? { state } : {}) } as never);
      chunks.push({ outputs: part.outputs, state: part.state });
      state = part.state;
    }
    return { crossOriginIsolated: globalThis.crossOriginIsolated === true, threads: ort.env.wasm.numThreads ?? 0, versions: runtime.versions, predict, chunks };
  } finally {
    await model.release();
  }
}
