// The subpath `@unfold/runtime/proto`: the schema-free ONNX protobuf reader and the checks it runs on a
// file before any engine sees it, for engines built on this package (`@unfold/engine`). An explicit list;
// it imports nothing but the runtime's error class.
export { isRuntimeError, RuntimeError, type RuntimeErrorCode, type RuntimeErrorDetails } from '../errors';
export { MAX_DIM, readModelInfo, readValueInfo, type GraphDim, type GraphDtype, type GraphValue, type ModelInfo } from './model-info';
export { checkTensorData, MAX_DECLARED_BYTES, MAX_GRAPH_DEPTH } from './tensor-data';
export { fieldsNumbered, fieldString, int64sOf, lastField, readFields, repeatedInt64, type WireField } from './wire';
