import { describe, expectTypeOf, it } from 'vitest';
import { createRegistry, field, type CellPlugin, type ConfigInput, type HeadPlugin, type LayerPlugin } from '../src/index';
import { toyCell, toyHead, toyLayer } from './toy-plugins';

describe('registry types', () => {
  it('types lookups by kind', () => {
    const registry = createRegistry([toyCell, toyLayer]);
    expectTypeOf(registry.get('toy-cell')).toEqualTypeOf<typeof toyCell>();
    expectTypeOf(registry.get('toy-cell')).toMatchTypeOf<CellPlugin<'toy-cell'>>();
    expectTypeOf(registry.get('toy-loop')).toMatchTypeOf<LayerPlugin<'toy-loop'>>();
    expectTypeOf(registry.kinds).toEqualTypeOf<readonly ('toy-cell' | 'toy-loop')[]>();
    // @ts-expect-error 'lstm' is not registered, so it is not a valid kind here
    registry.get('lstm');
  });

  it('widens with with()', () => {
    const registry = createRegistry([toyCell]).with(toyHead);
    expectTypeOf(registry.get('toy-dense')).toMatchTypeOf<HeadPlugin<'toy-dense'>>();
    expectTypeOf(registry.family('head')).toEqualTypeOf<readonly (typeof toyHead)[]>();
  });

  it('types validated configs from the schema', () => {
    const config = toyCell.validate({ inputSize: 1, hiddenSize: 2 });
    expectTypeOf(config).toEqualTypeOf<{ readonly inputSize: number; readonly hiddenSize: number; readonly bias: boolean }>();
  });
});

describe('config input types', () => {
  it('requires options without defaults and makes the rest optional', () => {
    const fields = { a: field.int({ doc: 'a' }), b: field.int({ doc: 'b', default: 1 }), c: field.optional(field.boolean({ doc: 'c' })) };
    expectTypeOf<ConfigInput<typeof fields>>().toEqualTypeOf<{ readonly a: number; readonly b?: number; readonly c?: boolean }>();
  });
});
