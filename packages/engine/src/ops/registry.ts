import { ARITHMETIC } from './arithmetic';
import { Cast } from './cast';
import { Concat, Split } from './concat-split';
import { If, Loop, Scan } from './control';
import { Constant, ConstantOfShape, Range } from './create';
import { Gather, GatherElements, ScatterND } from './gather';
import { Gemm, MatMul } from './matmul';
import type { Operator } from './operator';
import { Pad } from './pad';
import { GRU, LSTM, RNN } from './recurrent/operators';
import { ArgMax, ArgMin, REDUCE } from './reduce';
import { ReverseSequence } from './reverse-sequence';
import { Expand, Flatten, Identity, Reshape, Shape, Size, Squeeze, Unsqueeze } from './shape-ops';
import { Slice } from './slice';
import { LogSoftmax, Softmax } from './softmax';
import { Transpose } from './transpose';
import { UNARY } from './unary';
import { LOGICAL, Where } from './where';

/** Every operator of the default ONNX domain the engine implements, by op_type. */
export const OPERATORS: ReadonlyMap<string, Operator> = new Map(
  Object.entries({
    ...ARITHMETIC,
    ...UNARY,
    ...LOGICAL,
    ...REDUCE,
    ArgMax,
    ArgMin,
    Cast,
    Concat,
    Constant,
    ConstantOfShape,
    Expand,
    Flatten,
    Gather,
    GatherElements,
    Gemm,
    GRU,
    Identity,
    If,
    LogSoftmax,
    Loop,
    LSTM,
    MatMul,
    Pad,
    Range,
    Reshape,
    ReverseSequence,
    RNN,
    Scan,
    ScatterND,
    Shape,
    Size,
    Slice,
    Softmax,
    Split,
    Squeeze,
    Transpose,
    Unsqueeze,
    Where,
  }),
);
