import { readOnnxModel } from '@unfold/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRuntimeError, readModelInfo } from '../src/index';
import { referenceModel, type ReferenceModel } from './models';

let charlm: ReferenceModel;

beforeAll(async () => {
  charlm = await referenceModel('charlm');
});

afterAll(() => charlm.model.dispose());

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return isRuntimeError(error) ? error.code : String(error);
  }
  return 'returned';
}

describe('readModelInfo (a schema-free protobuf walk)', () => {
  it('reads what @unfold/onnx’s own reader reads: inputs, outputs, metadata, opsets', () => {
    const info = readModelInfo(charlm.bytes);
    const reference = readOnnxModel(charlm.bytes);
    expect(info.inputs.map(({ name, dtype, shape }) => ({ name, dtype, shape }))).toEqual(reference.inputs);
    expect(info.outputs.map(({ name, dtype, shape }) => ({ name, dtype, shape }))).toEqual(reference.outputs);
    expect(info.metadata).toEqual(reference.metadata);
    expect(info.opsets).toEqual(reference.opsets);
    expect(info.irVersion).toBe(reference.irVersion);
    expect(info.producer).toEqual(reference.producer);
  });

  it('rejects bytes that are not a model with E_MODEL, never another error', () => {
    const bytes = charlm.bytes;
    expect(codeOf(() => readModelInfo(new Uint8Array(0)))).toBe('E_MODEL');
    expect(codeOf(() => readModelInfo(new TextEncoder().encode('{"not":"onnx"}')))).toBe('E_MODEL');
    expect(codeOf(() => readModelInfo(bytes.subarray(0, bytes.length - 7)))).toBe('E_MODEL');
    // Every truncation and single-byte corruption either parses or fails as E_MODEL.
    for (let cut = 1; cut < bytes.length; cut += 97) expect(['returned', 'E_MODEL']).toContain(codeOf(() => readModelInfo(bytes.subarray(0, cut))));
    for (let at = 0; at < bytes.length; at += 61) {
      const corrupt = bytes.slice();
      corrupt[at] = 0xff;
      expect(['returned', 'E_MODEL']).toContain(codeOf(() => readModelInfo(corrupt)));
    }
  });
});
