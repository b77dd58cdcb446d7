import { RuntimeError } from '@unfold/runtime/proto';

/**
 * The engine's errors are the runtime's RuntimeError, so callers branch on the same codes for both engines:
 * E_MODEL for a file the engine will not run (checked at InferenceSession.create, before any run), E_DTYPE
 * and E_SHAPE for feeds that differ from the graph's declared inputs or for shapes a node cannot take,
 * E_GRAPH_RUN for values a node cannot take (an index out of range).
 */
export const SERVE_WITH_ORT = 'serve this file with onnxruntime: `--engine ort-node` / `ort-web`';

/** A file outside what the engine implements: an operator, opset, dtype or attribute value. */
export function unsupported(where: string, got: string, expected: string): RuntimeError {
  return new RuntimeError('E_MODEL', 'the compact engine does not implement this', { where, expected, got, fix: SERVE_WITH_ORT });
}

/** A file that is not a valid model (a dangling name, a cycle, a missing attribute). */
export function invalidModel(where: string, summary: string, expected: string, got: string): RuntimeError {
  return new RuntimeError('E_MODEL', summary, { where, expected, got, fix: 'the file is corrupt or was edited; export the model again' });
}

/** Shapes a node cannot take at run time. */
export function shapeError(where: string, summary: string, expected: string, got: string): RuntimeError {
  return new RuntimeError('E_SHAPE', summary, { where, expected, got, fix: 'check the shapes of the inputs against the model’s declared inputs' });
}

/** Values a node cannot take at run time (an index out of range). */
export function valueError(where: string, summary: string, expected: string, got: string): RuntimeError {
  return new RuntimeError('E_GRAPH_RUN', summary, { where, expected, got, fix: 'check the values of the inputs (token ids, lengths) against the model’s ranges' });
}
