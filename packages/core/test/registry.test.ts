import { describe, expect, it } from 'vitest';
import { createRegistry, defineCell, defineConfig, isUnfoldError } from '../src/index';
import { toyCell, toyHead, toyLayer } from './toy-plugins';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isUnfoldError(error) ? error.code : 'not-unfold';
  }
  return undefined;
}

describe('createRegistry', () => {
  it('looks plugins up by kind and lists them by family', () => {
    const registry = createRegistry([toyCell, toyLayer, toyHead]);
    expect(registry.get('toy-cell')).toBe(toyCell);
    expect(registry.kinds).toEqual(['toy-cell', 'toy-loop', 'toy-dense']);
    expect(registry.family('cell')).toEqual([toyCell]);
    expect(registry.has('toy-loop')).toBe(true);
    expect(registry.has('lstm')).toBe(false);
    expect([...registry]).toHaveLength(3);
  });

  it('rejects duplicate kinds, naming both packages', () => {
    const clash = defineCell({ ...toyCell, meta: { package: 'acme-cells', version: '2.0.0' } });
    expect(() => createRegistry([toyCell, clash])).toThrowError(/duplicate kind "toy-cell".*@unfold\/core-tests@0\.0\.0 and from acme-cells@2\.0\.0/);
    expect(codeOf(() => createRegistry([toyCell, clash]))).toBe('E_REGISTRY');
  });

  it('rejects unknown kinds with the list of known ones and a suggestion', () => {
    const registry = createRegistry([toyCell, toyLayer]);
    let message = '';
    try {
      registry.lookup('toy-cel', 'layers.0');
    } catch (error) {
      expect(isUnfoldError(error, 'E_REGISTRY')).toBe(true);
      message = (error as Error).message;
    }
    expect(message).toContain('layers.0: unknown kind "toy-cel" (did you mean "toy-cell"?)');
    expect(message).toContain('cell: toy-cell; layer: toy-loop');
    expect(message).toContain('Fix: add the plugin to createRegistry');
  });

  it('checks the family on require', () => {
    const registry = createRegistry([toyCell, toyLayer]);
    expect(registry.require('toy-cell', 'cell')).toBe(toyCell);
    expect(() => registry.require('toy-cell', 'layer', 'model')).toThrowError(/"toy-cell" is a cell, not a layer/);
  });

  it('with() returns a new registry and leaves the original untouched', () => {
    const base = createRegistry([toyCell]);
    const extended = base.with(toyLayer, toyHead);
    expect(extended.kinds).toEqual(['toy-cell', 'toy-loop', 'toy-dense']);
    expect(base.kinds).toEqual(['toy-cell']);
    expect(base.has('toy-loop')).toBe(false);
    expect(() => base.with(toyCell)).toThrowError(/duplicate kind/);
    expect(Object.isFrozen(base)).toBe(true);
  });

  it('rejects things that are not plugins', () => {
    expect(codeOf(() => createRegistry([{} as never]))).toBe('E_REGISTRY');
  });
});

describe('define*', () => {
  it('returns frozen plugins with validate built from the config schema', () => {
    expect(Object.isFrozen(toyCell)).toBe(true);
    expect(toyCell.family).toBe('cell');
    expect(toyCell.validate({ inputSize: 2, hiddenSize: 3 })).toEqual({ inputSize: 2, hiddenSize: 3, bias: true });
  });

  it('rejects malformed definitions', () => {
    const base = { meta: { package: 'p', version: '1.0.0' }, schemaVersion: 1, summary: '', config: defineConfig({}) };
    const methods = { inputSize: () => 1, outputSize: () => 1, state: () => [], parameters: () => [], step: () => ({}) as never };
    expect(codeOf(() => defineCell({ ...base, ...methods, kind: 'Bad Kind' }))).toBe('E_REGISTRY');
    expect(codeOf(() => defineCell({ ...base, ...methods, kind: 'ok', meta: undefined as never }))).toBe('E_REGISTRY');
    expect(codeOf(() => defineCell({ ...base, ...methods, kind: 'ok', step: undefined as never }))).toBe('E_REGISTRY');
    expect(codeOf(() => defineCell({ ...base, ...methods, kind: 'acme/my-cell' }))).toBeUndefined();
  });
});
