import { concreteDim, mulDims, numberDim, type Dim } from './dims';
import { importError } from './errors';
import { asDim, elementOfDim } from './layout-ops';
import type { OpHandler } from './node-context';
import { constantValue, elementType, isIntegerType, readStatic, staticInts } from './read-graph';
import { checkStaticShape, normalizeAxis, staticValue } from './static-ops';
import { shapeOf, type Element, type ElementType } from './values';

/**
 * Shape, Constant, ConstantOfShape, Cast, Identity, Range and ReduceProd: the shape arithmetic of glue.
 * Shapes are symbolic (Shape(x) of x [batch, time, 3] is [batch, time, 3]), so a zero initial state
 * built as ConstantOfShape(Concat([2], Unsqueeze(Gather(Shape(x), 1)), [4])) is known to be zeros of
 * [2, batch, 4] for every batch, not only for the batch the file was exported with.
 */
function castElement(element: Element, to: ElementType): Element {
  if (typeof element !== 'number') return element;
  if (to === 'float32' || to === 'float16') return Math.fround(element);
  if (to === 'float64') return element;
  if (to === 'bool') return element !== 0 ? 1 : 0;
  return Math.trunc(element);
}

const shape: OpHandler = (context) => {
  const dims = shapeOf(context.input(0));
  const start = normalizeAxis(context.attributes.int('start', 0), dims.length + 1) ?? 0;
  const endAttribute = context.attributes.int('end', dims.length);
  const end = Math.min(Math.max(endAttribute < 0 ? endAttribute + dims.length : endAttribute, 0), dims.length);
  const picked = dims.slice(start, end);
  return [staticValue('int64', [picked.length], picked.map(elementOfDim))];
};

const constant: OpHandler = (context) => [constantValue(context.attributes)];

const constantOfShape: OpHandler = (context) => {
  const target = context.input(0);
  if (target.kind !== 'static') throw importError('ConstantOfShape of a shape that is not known', { where: context.where, expected: 'a shape computed from constants and Shape()', got: context.describe(0) });
  const tensor = context.attributes.tensor('value');
  const fill = tensor ? readStatic(tensor, context.where) : staticValue('float32', [1], [0]);
  const value = fill.data[0] ?? 0;
  const dims = target.data.map(asDim);
  const concrete = dims.map(concreteDim);
  if (concrete.every((d): d is number => d !== undefined)) {
    checkStaticShape(concrete, context.where, 'ConstantOfShape');
    return [staticValue(fill.dtype, concrete, new Array<Element>(concrete.reduce((a, b) => a * b, 1)).fill(value))];
  }
  return [{ kind: 'filled', dtype: fill.dtype, shape: dims, value }];
};

const cast: OpHandler = (context) => {
  const value = context.input(0);
  const to = elementType(context.attributes.int('to', 1));
  if (to === 'unsupported') throw importError('Cast to an unsupported type', { where: context.where, expected: 'a numeric or bool type', got: `ONNX type ${context.attributes.int('to', 0)}` });
  switch (value.kind) {
    case 'static':
      return [staticValue(to, value.shape, value.data.map((e) => castElement(e, to)))];
    case 'filled':
      return [{ ...value, dtype: to, value: castElement(value.value, to) }];
    case 'marked':
      if (!isIntegerType(to) || value.meaning.what === 'mask' || value.meaning.what === 'non-empty') break;
      return [{ ...value, dtype: to }];
    case 'data':
      if (to !== 'float32') break;
      return [value];
  }
  throw importError('Cast changes what a value means', { where: context.where, expected: 'integer casts of lengths and indices, float32 casts of features', got: `${context.describe(0)} to ${to}`, fix: 'this glue cannot be evaluated without running the model' });
};

const identity: OpHandler = (context) => [context.input(0)];

const range: OpHandler = (context) => {
  const [start, limit, delta] = [0, 1, 2].map((i) => {
    const value = context.input(i);
    if (value.kind !== 'static' || value.data.length !== 1) throw importError('Range with a bound that is not a scalar constant', { where: context.where, expected: 'scalar start, limit and delta', got: context.describe(i) });
    return value.data[0] as Element;
  }) as [Element, Element, Element];
  const dtype = (context.input(0) as { dtype: ElementType }).dtype;
  if (typeof start === 'number' && typeof limit === 'number' && typeof delta === 'number') {
    if (![start, limit, delta].every(Number.isFinite) || delta === 0) throw importError('Range with a zero or non-finite bound', { where: context.where, expected: 'finite start and limit and a non-zero delta', got: `Range(${start}, ${limit}, ${delta})`, fix: 'the file is corrupt or was edited; export it again' });
    // ONNX: max(ceil((limit − start) / delta), 0) elements, counted before any is built.
    const count = Math.max(Math.ceil((limit - start) / delta), 0);
    checkStaticShape([count], context.where, 'Range');
    return [staticValue(dtype, [count], Array.from({ length: count }, (_, i) => start + i * delta))];
  }
  if (start !== 0 || delta !== 1) throw importError('Range over a symbolic size that does not start at 0 with step 1', { where: context.where, expected: 'Range(0, n, 1)', got: 'another start or delta' });
  return [{ kind: 'marked', dtype, shape: [asDim(limit)], meaning: { what: 'index' }, marks: { step: 0 } }];
};

const reduceProd: OpHandler = (context) => {
  const value = context.input(0);
  if (value.kind !== 'static' || value.shape.length !== 1) throw importError('ReduceProd of a value that is not a shape', { where: context.where, expected: 'a 1-D constant or shape tensor', got: context.describe(0) });
  const axesInput = context.optional(1);
  if (axesInput && axesInput.kind !== 'static') throw importError('ReduceProd axes are not constant', { where: context.where, expected: 'constant axes', got: context.describe(1) });
  const axes = axesInput ? staticInts(axesInput, 'axes', context.where) : context.attributes.ints('axes');
  if (axes && axes.some((a) => a !== 0 && a !== -1)) throw importError('ReduceProd over an axis a 1-D tensor lacks', { where: context.where, expected: 'axes [0] or none', got: `[${axes.join(', ')}]` });
  const product: Dim = value.data.map(asDim).reduce(mulDims, numberDim(1));
  const keep = context.attributes.int('keepdims', 1) === 1;
  return [staticValue(value.dtype, keep ? [1] : [], [elementOfDim(product)])];
};

export const shapeOps: Readonly<Record<string, OpHandler>> = { Shape: shape, Constant: constant, ConstantOfShape: constantOfShape, Cast: cast, Identity: identity, Range: range, ReduceProd: reduceProd };
