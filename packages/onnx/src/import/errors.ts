import { SerializationError, type ErrorDetails } from '@unfold/core';
import type { NodeProto } from 'onnx-buf';

/**
 * Import errors are SerializationErrors (`code: 'E_SERIALIZATION'`): the file cannot be read into an
 * unfold model. Each names where (the file and the node: op type and name), what was expected, what was
 * got, and the fix.
 */
export function importError(summary: string, details: ErrorDetails, cause?: unknown): SerializationError {
  return new SerializationError(summary, details, cause === undefined ? undefined : { cause });
}

/** `model.onnx: node "/rnn/LSTM" (LSTM)`; nodes without a name are named by their first output. */
export function nodeLabel(node: NodeProto): string {
  const name = node.name || `output ${JSON.stringify(node.output[0] ?? '?')}`;
  return `node ${node.name ? JSON.stringify(name) : name} (${node.domain ? `${node.domain}.` : ''}${node.opType})`;
}

export function atNode(file: string, node: NodeProto): string {
  return `${file}: ${nodeLabel(node)}`;
}
