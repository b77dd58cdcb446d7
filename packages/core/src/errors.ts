/**
 * One error family for all of unfold. Callers branch on the stable `code`, never on `instanceof`,
 * so the ESM and CJS builds (two copies of each class) behave the same.
 *
 * Every message says where the problem is, what was expected, what was got, and how to fix it.
 */
export type ErrorCode =
  | 'E_CONFIG'
  | 'E_SHAPE'
  | 'E_REGISTRY'
  | 'E_SERIALIZATION'
  | 'E_EXPORT'
  | 'E_DATA'
  | 'E_BACKEND'
  | 'E_DIVERGED';

export interface ErrorDetails {
  /** Where: a model path (`layers.1.cell`), a file name, a function. */
  readonly where?: string;
  readonly expected?: string;
  readonly got?: string;
  /** What the caller can do about it. */
  readonly fix?: string;
}

/** Marks objects made by this module, so `isUnfoldError` works across duplicated builds. */
const UNFOLD_ERROR = Symbol.for('unfold.error');

/** The one message shape of every unfold error: `where: summary; expected …; got …. Fix: …`. */
export function composeErrorMessage(summary: string, details: ErrorDetails): string {
  const parts = [details.where ? `${details.where}: ${summary}` : summary];
  if (details.expected !== undefined) parts.push(`expected ${details.expected}`);
  if (details.got !== undefined) parts.push(`got ${details.got}`);
  let message = parts.join('; ');
  if (details.fix) message += `. Fix: ${details.fix}`;
  return message;
}

export class UnfoldError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;
  readonly [UNFOLD_ERROR] = true;

  constructor(code: ErrorCode, summary: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(composeErrorMessage(summary, details), options);
    this.code = code;
    this.details = details;
    this.name = new.target.name;
  }
}

export class ConfigError extends UnfoldError {
  constructor(summary: string, details?: ErrorDetails, options?: { cause?: unknown }) {
    super('E_CONFIG', summary, details, options);
  }
}

export class ShapeError extends UnfoldError {
  constructor(summary: string, details?: ErrorDetails, options?: { cause?: unknown }) {
    super('E_SHAPE', summary, details, options);
  }
}

export class RegistryError extends UnfoldError {
  constructor(summary: string, details?: ErrorDetails, options?: { cause?: unknown }) {
    super('E_REGISTRY', summary, details, options);
  }
}

export class SerializationError extends UnfoldError {
  constructor(summary: string, details?: ErrorDetails, options?: { cause?: unknown }) {
    super('E_SERIALIZATION', summary, details, options);
  }
}

export class ExportError extends UnfoldError {
  constructor(summary: string, details?: ErrorDetails, options?: { cause?: unknown }) {
    super('E_EXPORT', summary, details, options);
  }
}

/** Bad training or inference data: ragged rows, non-finite values, labels out of range. */
export class DataError extends UnfoldError {
  constructor(summary: string, details?: ErrorDetails, options?: { cause?: unknown }) {
    super('E_DATA', summary, details, options);
  }
}

export class BackendError extends UnfoldError {
  constructor(summary: string, details?: ErrorDetails, options?: { cause?: unknown }) {
    super('E_BACKEND', summary, details, options);
  }
}

/** Training diverged: a non-finite loss or gradient, or a loss far above its best (the divergence guard). */
export class DivergenceError extends UnfoldError {
  constructor(summary: string, details?: ErrorDetails, options?: { cause?: unknown }) {
    super('E_DIVERGED', summary, details, options);
  }
}

/** True for any unfold error (from either build), optionally of one code. */
export function isUnfoldError(value: unknown, code?: ErrorCode): value is UnfoldError {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as { [UNFOLD_ERROR]?: unknown })[UNFOLD_ERROR] !== true) return false;
  return code === undefined || (value as UnfoldError).code === code;
}
