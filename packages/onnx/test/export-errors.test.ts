import { recurrent } from '@unfold/architectures';
import { defineCell, initWeights, isUnfoldError, resolveModel, type AnyPlugin, type ModelSpec } from '@unfold/core';
import { fakeCell } from '@unfold/testing';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportModel } from '../src/index';
import { exportModelFile } from '../src/node';
import { elmanCell } from './cells/elman';
import { registryWith } from './harness';

const folder = mkdtempSync(join(tmpdir(), 'unfold-onnx-errors-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function modelOf(plugins: readonly AnyPlugin[], spec: ModelSpec) {
  const registry = registryWith(plugins);
  return { registry, model: { spec, weights: initWeights(resolveModel(registry, spec), 1) } };
}

async function exportError(run: () => Promise<unknown> | unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    return isUnfoldError(error) ? `${error.code} ${error.message}` : `not an unfold error: ${String(error)}`;
  }
  return 'no error';
}

const elman = { kind: 'acme/elman', config: { inputSize: 2, hiddenSize: 2 } };

describe('an unsupported model', () => {
  it('names the cell without a mapping and writes nothing, leaving an existing file as it was', async () => {
    const { registry, model } = modelOf([fakeCell, elmanCell], { kind: 'stacked', children: { layers: [elman, { kind: 'recurrent', children: { cell: { kind: 'fake-accumulator', config: { inputSize: 2, hiddenSize: 2 } } } }] } });
    const path = join(folder, 'fresh.onnx');
    expect(await exportError(() => exportModelFile(registry, path, model))).toBe(
      'E_EXPORT layers.1.cell: cell "fake-accumulator" has no ONNX mapping; expected an `onnx` or `onnxStep` property on the cell plugin "fake-accumulator"; got none in @unfold/testing@0.1.0. Fix: add one of them to the cell "fake-accumulator" in @unfold/testing, or build the model from plugins that have one; nothing was written',
    );
    expect(existsSync(path)).toBe(false);
    const kept = join(folder, 'kept.onnx');
    writeFileSync(kept, 'previous export');
    await exportError(() => exportModelFile(registry, kept, model));
    expect(readFileSync(kept, 'utf8')).toBe('previous export');
    expect(readdirSync(folder).sort()).toEqual(['kept.onnx']);
  });

  it('lists every part without a mapping, layers included', async () => {
    const plainLoop = { ...recurrent, kind: 'acme/plain-loop', onnx: undefined } as unknown as AnyPlugin;
    const { registry, model } = modelOf([fakeCell, elmanCell, plainLoop], { kind: 'stacked', children: { layers: [{ kind: 'acme/plain-loop', children: { cell: elman } }, { kind: 'fake-accumulator', config: { inputSize: 2, hiddenSize: 1 } }] } });
    expect(await exportError(() => exportModel(registry, model))).toMatch(/^E_EXPORT layers\.0: layer "acme\/plain-loop" has no ONNX mapping; expected an `onnx` property on the layer plugin "acme\/plain-loop"; got none in @unfold\/architectures@0\.1\.0; also missing at layers\.1 \(fake-accumulator\)/);
  });

  it('refuses a head at the root', async () => {
    const { registry, model } = modelOf([], { kind: 'dense', config: { inputSize: 2, outputSize: 1 } });
    expect(await exportError(() => exportModel(registry, model))).toMatch(/^E_EXPORT model: cannot export a head on its own; expected a sequence component at the root/);
  });
});

describe('a broken third-party mapping', () => {
  const broken = (kind: string, onnx: NonNullable<typeof elmanCell.onnx>) => defineCell({ ...elmanCell, kind, onnx } as unknown as Parameters<typeof defineCell>[0]);

  it('returning the wrong number of final states is an ExportError naming the plugin', async () => {
    const cell = broken('acme/no-state', (context) => ({ outputs: context.input, finalState: [] }));
    const { registry, model } = modelOf([cell], { kind: 'acme/no-state', config: { inputSize: 2, hiddenSize: 2 } });
    expect(await exportError(() => exportModel(registry, model))).toBe(
      'E_EXPORT model: the ONNX mapping of cell "acme/no-state" (acme-cells@1.0.0) returned the wrong number of final states; expected 1 (h); got 0. Fix: return one final state per entry of the plugin\'s state(), in that order',
    );
  });

  it('throwing a plain error becomes an ExportError naming the plugin, with the cause kept', async () => {
    const cell = broken('acme/throws', () => {
      throw new TypeError('weights.R is undefined');
    });
    const { registry, model } = modelOf([cell], { kind: 'recurrent', children: { cell: { kind: 'acme/throws', config: { inputSize: 2, hiddenSize: 2 } } } });
    let caught: unknown;
    try {
      exportModel(registry, model);
    } catch (error) {
      caught = error;
    }
    expect(isUnfoldError(caught, 'E_EXPORT') && caught.message).toBe('cell: the ONNX mapping of cell "acme/throws" (acme-cells@1.0.0) failed; got weights.R is undefined. Fix: this is a bug in acme-cells\'s mapping for "acme/throws"; report it there');
    expect((caught as Error).cause).toBeInstanceOf(TypeError);
  });
});

describe('writing', () => {
  it('leaves no file behind when the write fails midway', async () => {
    const { registry, model } = modelOf([elmanCell], { kind: 'recurrent', children: { cell: elman } });
    const path = join(folder, 'interrupted.onnx');
    const message = await exportError(() =>
      exportModelFile(registry, path, model, {
        writeTemp: async (temp, bytes) => {
          writeFileSync(temp, bytes.subarray(0, 10));
          throw new Error('ENOSPC: no space left on device');
        },
      }),
    );
    expect(message).toMatch(/^E_SERIALIZATION .*interrupted\.onnx: could not write file; .*got ENOSPC: no space left on device/);
    expect(readdirSync(folder).filter((name) => name.includes('interrupted'))).toEqual([]);
  });

  it('writes the exported bytes', async () => {
    const { registry, model } = modelOf([elmanCell], { kind: 'recurrent', children: { cell: elman } });
    const path = join(folder, 'written.onnx');
    const bytes = await exportModelFile(registry, path, model, { sequenceLens: false });
    expect(new Uint8Array(readFileSync(path))).toEqual(bytes);
    expect(bytes).toEqual(exportModel(registry, model, { sequenceLens: false }));
    rmSync(path);
  });
});
