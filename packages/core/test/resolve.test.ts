import { describe, expect, it } from 'vitest';
import { createRegistry, initWeights, isUnfoldError, modelParameters, resolveModel } from '../src/index';
import { toyCell, toyHead, toyLayer, toySpec } from './toy-plugins';

const registry = createRegistry([toyCell, toyLayer, toyHead]);

describe('resolveModel', () => {
  it('validates every node and names parameters by path', () => {
    const root = resolveModel(registry, toySpec);
    expect(root.config).toEqual({ label: 'a' });
    expect(modelParameters(root).map((p) => p.name)).toEqual(['cell.W', 'cell.R', 'cell.B']);
  });

  it('reports errors at the child path', () => {
    const bad = { ...toySpec, children: { cell: { kind: 'toy-cell', config: { inputSize: 3, hiddenSize: 0 } } } };
    expect(() => resolveModel(registry, bad)).toThrowError(/^cell \(toy-cell\): invalid option "hiddenSize"/);
    const wrongFamily = { ...toySpec, children: { cell: { kind: 'toy-dense', config: { inputSize: 1, outputSize: 1 } } } };
    expect(() => resolveModel(registry, wrongFamily)).toThrowError(/wrong family/);
    expect(() => resolveModel(registry, { kind: 'toy-loop', children: {} })).toThrowError(/missing child "cell"/);
    expect(() => resolveModel(registry, { kind: 'nope' })).toThrowError(/unknown kind "nope"/);
    try {
      resolveModel(registry, { kind: 'toy-cell', config: { inputSize: 1, hiddenSize: 1 }, children: { x: { kind: 'toy-cell' } } });
    } catch (error) {
      expect(isUnfoldError(error, 'E_CONFIG')).toBe(true);
    }
  });
});

describe('initWeights', () => {
  it('gives bit-identical weights for the same seed, different ones for another seed', () => {
    const root = resolveModel(registry, toySpec);
    const a = initWeights(root, 1234);
    const b = initWeights(root, 1234);
    const c = initWeights(root, 1235);
    for (const name of Object.keys(a)) {
      expect(Buffer.from(a[name]!.data.buffer)).toEqual(Buffer.from(b[name]!.data.buffer));
    }
    expect(Array.from(a['cell.W']!.data)).not.toEqual(Array.from(c['cell.W']!.data));
    expect(a['cell.B']!.data.every((v) => v === 0)).toBe(true);
  });

  it('depends only on seed and path, not on the rest of the model', () => {
    const small = initWeights(resolveModel(registry, toySpec), 99);
    const noBias = initWeights(resolveModel(registry, { ...toySpec, children: { cell: { kind: 'toy-cell', config: { inputSize: 3, hiddenSize: 4, bias: false } } } }), 99);
    expect(Array.from(small['cell.R']!.data)).toEqual(Array.from(noBias['cell.R']!.data));
  });
});
