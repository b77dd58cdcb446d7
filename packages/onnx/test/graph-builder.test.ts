import { isUnfoldError, type OnnxConstant } from '@unfold/core';
import { AttributeProto_AttributeType as Type, type NodeProto } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { createModelBuilder, readInitializers, readOnnxModel, serializeGraph, type OnnxModelBuilder } from '../src/index';
import { decodeModel } from '../src/model-proto';
import { openSession } from './ort';
import { writeForChecker } from './checker-dir';

const int64 = (values: readonly number[], shape = [values.length]): OnnxConstant => ({ dtype: 'int64', shape, data: BigInt64Array.from(values, (v) => BigInt(v)) });
const float32 = (values: readonly number[], shape = [values.length]) => ({ shape, data: Float32Array.from(values) });

function nodesOf(graph: OnnxModelBuilder, name = 'g'): NodeProto[] {
  return decodeModel(serializeGraph(graph, { name })).graph?.node ?? [];
}

function exportErrorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return isUnfoldError(error, 'E_EXPORT') ? error.message : `not an ExportError: ${String(error)}`;
  }
  return 'no error';
}

describe('value names', () => {
  it('derives unique names from stems, prefixed with the plugin path, and never takes a reserved name', () => {
    const graph = createModelBuilder(['input', 'output']);
    const x = graph.input('input', { dtype: 'float32', shape: ['batch', 2] });
    const cell = graph.scoped('layers.1');
    expect(cell.constant('W', float32([1, 2]))).toBe('layers.1.W');
    expect(cell.constant('W', float32([3, 4]))).toBe('layers.1.W_1');
    expect(graph.scoped('layers.1.forward').constant('W', float32([5]))).toBe('layers.1.forward.W');
    expect(graph.node('Relu', [x], {}, { stem: 'output' })).toEqual(['output_1']);
    expect(cell.node('Split', [x], { axis: 1 }, { outputs: 2 })).toEqual(['layers.1.Split.0', 'layers.1.Split.1']);
    graph.output('output', 'output_1', { dtype: 'float32', shape: ['batch', 2] });
    expect(nodesOf(graph).map((n) => [n.name, n.opType, n.output.join()])).toEqual([
      ['output', 'Relu', 'output_1'],
      ['layers.1.Split', 'Split', 'layers.1.Split.0,layers.1.Split.1'],
      ['output_1', 'Identity', 'output'],
    ]);
  });

  it('writes int64, int32 and float32 constants as initializers, exactly', () => {
    const graph = createModelBuilder([]);
    graph.constant('shape', int64([-1, 2 ** 40, 3]));
    graph.constant('ids', { dtype: 'int32', shape: [2, 1], data: Int32Array.of(-7, 2147483647) });
    graph.constant('w', float32([0.1, -2.5e-8, 3e38, -0], [2, 2]));
    const read = readInitializers(serializeGraph(graph, { name: 'g' }));
    expect(read.shape).toEqual(int64([-1, 2 ** 40, 3]));
    expect(read.ids).toEqual({ dtype: 'int32', shape: [2, 1], data: Int32Array.of(-7, 2147483647) });
    expect(read.w).toEqual(float32([0.1, -2.5e-8, 3e38, -0], [2, 2]));
    expect(Object.is((read.w?.data as Float32Array)[3], -0)).toBe(true);
  });
});

describe('attributes', () => {
  it('types every attribute form', () => {
    const graph = createModelBuilder(['x']);
    const x = graph.input('x', { dtype: 'float32', shape: [1] });
    graph.node('Custom', [x, ''], { i: -3, f: { float: 0.25 }, s: 'Tanh', ints: [1, 2], none: [], floats: { floats: [0.5, 2] }, strings: ['a', 'b'], t: { tensor: int64([4]) } }, { domain: 'acme.test' });
    const [node] = nodesOf(graph);
    const byName = Object.fromEntries((node?.attribute ?? []).map((a) => [a.name, a]));
    expect(node?.input).toEqual(['x', '']);
    expect(node?.domain).toBe('acme.test');
    expect([byName.i?.type, byName.i?.i]).toEqual([Type.INT, -3n]);
    expect([byName.f?.type, byName.f?.f]).toEqual([Type.FLOAT, 0.25]);
    expect([byName.s?.type, new TextDecoder().decode(byName.s?.s)]).toEqual([Type.STRING, 'Tanh']);
    expect([byName.ints?.type, byName.ints?.ints]).toEqual([Type.INTS, [1n, 2n]]);
    expect([byName.none?.type, byName.none?.ints]).toEqual([Type.INTS, []]);
    expect([byName.floats?.type, byName.floats?.floats]).toEqual([Type.FLOATS, [0.5, 2]]);
    expect([byName.strings?.type, byName.strings?.strings.map((s) => new TextDecoder().decode(s))]).toEqual([Type.STRINGS, ['a', 'b']]);
    expect([byName.t?.type, byName.t?.t?.dims]).toEqual([Type.TENSOR, [1n]]);
    expect(readOnnxModel(serializeGraph(graph, { name: 'g' })).opsets).toEqual([{ domain: '', version: 17 }, { domain: 'acme.test', version: 1 }]);
  });

  it('rejects a non-integer INT, a non-finite FLOAT and a mixed list', () => {
    const graph = createModelBuilder([]);
    expect(exportErrorOf(() => graph.node('Cast', [], { to: 1.5 }))).toBe('model: Cast node: attribute "to" is not an integer; expected an integer (a plain number is an INT attribute); got 1.5. Fix: write { float: 1.5 } for a FLOAT attribute, or round it');
    expect(exportErrorOf(() => graph.node('Elu', [], { alpha: { float: Number.NaN } }))).toMatch(/attribute "alpha" is not finite/);
    expect(exportErrorOf(() => graph.node('Foo', [], { mixed: [1, 'a'] as unknown as number[] }))).toMatch(/attribute "mixed" mixes numbers and strings/);
  });
});

describe('checks', () => {
  it('rejects an unknown input name, naming the op, the plugin path and the name', () => {
    const graph = createModelBuilder([]);
    expect(exportErrorOf(() => graph.scoped('body').node('Tanh', ['h_typo']))).toBe(
      'body: Tanh node: input 0 of a Tanh node is not a known value; expected a name returned by constant(), node() or a graph or subgraph input visible here, or \'\' for an optional input left out; got "h_typo". Fix: pass the names the builder returned; values made inside a subgraph are not visible outside it',
    );
  });

  it('rejects a constant whose data does not match its shape', () => {
    expect(exportErrorOf(() => createModelBuilder([]).constant('W', float32([1, 2, 3], [2, 2])))).toMatch(/^model: constant "W": constant data does not match its shape; expected 4 values for shape \[2, 2\]; got 3 values/);
  });

  it('keeps subgraph values inside the subgraph, uses each subgraph once and checks its outputs', () => {
    const graph = createModelBuilder([]);
    let inner = '';
    const body = graph.subgraph('body', { inputs: [{ dtype: 'float32' }], outputs: [{ dtype: 'float32' }] }, (g, [v]) => {
      [inner] = g.node('Neg', [v as string]) as [string];
      return [inner];
    });
    expect(exportErrorOf(() => graph.node('Relu', [inner]))).toMatch(/input 0 of a Relu node is not a known value/);
    const zero = graph.constant('zero', float32([0], []));
    graph.node('Scan', [zero, zero], { body, num_scan_inputs: 0 });
    expect(exportErrorOf(() => graph.node('Scan', [zero, zero], { body, num_scan_inputs: 0 }))).toMatch(/subgraph "body" is used by two nodes/);
    expect(exportErrorOf(() => graph.subgraph('bad', { inputs: [], outputs: [{ dtype: 'bool' }] }, () => []))).toMatch(/subgraph body returned the wrong number of outputs; expected 1/);
  });
});

describe('a hand-built Loop', () => {
  it('runs in onnxruntime; a body output passed straight through gets an Identity', async () => {
    // v ← v·2 + 1 three times; cond passes through the body unchanged.
    const graph = createModelBuilder(['x', 'y']);
    const x = graph.input('x', { dtype: 'float32', shape: ['n'] });
    const two = graph.constant('two', float32([2], []));
    const one = graph.constant('one', float32([1], []));
    const body = graph.subgraph(
      'step',
      { inputs: [{ dtype: 'int64', shape: [], stem: 'i' }, { dtype: 'bool', shape: [], stem: 'cond' }, { dtype: 'float32', shape: [null], stem: 'v' }], outputs: [{ dtype: 'bool', shape: [] }, { dtype: 'float32', shape: [null] }] },
      (g, [, cond, v]) => [cond as string, g.node('Add', [g.node('Mul', [v as string, two])[0] as string, one])[0] as string],
    );
    const [looped] = graph.node('Loop', [graph.constant('trips', int64([3], [])), '', x], { body }) as [string];
    graph.output('y', looped, { dtype: 'float32', shape: ['n'] });
    const bytes = serializeGraph(graph, { name: 'loop', docString: 'v·2 + 1, three times' });
    await writeForChecker('builder.loop', bytes);
    const ops = readOnnxModel(bytes).ops;
    expect(ops).toEqual({ Loop: 1, Identity: 2, Mul: 1, Add: 1 });
    const session = await openSession(bytes);
    const { y } = await session.run({ x: { shape: [2], data: Float32Array.of(0, -1) } });
    expect(Array.from(y?.data ?? [])).toEqual([7, -1]);
    await session.release();
  });
});
