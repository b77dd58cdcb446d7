import { DataError } from '../errors';

/** Why a tree was refused; stable, for callers that branch (the edge maps every reason to a 4xx). */
export type TreeProblem = 'syntax' | 'empty' | 'cycle' | 'dangling' | 'out-of-range' | 'arity' | 'too-deep' | 'too-many-nodes' | 'too-wide' | 'bad-node';

/**
 * A bad tree: a DataError (code E_DATA) that also names the problem and the node's path
 * (`trees[2].children[0].children[1]`, or `trees[0].nodes[4]` for the indexed form).
 */
export class TreeError extends DataError {
  readonly problem: TreeProblem;
  readonly path: string;
  /** What is wrong, without the path and details (`cycle`, `tree too deep`). */
  readonly summary: string;

  constructor(problem: TreeProblem, path: string, summary: string, details: { expected?: string; got?: string; fix?: string } = {}) {
    super(summary, { where: path, ...details });
    this.problem = problem;
    this.path = path;
    this.summary = summary;
  }
}

/** True for a TreeError from either build (checks the fields, not the class). */
export function isTreeError(value: unknown): value is TreeError {
  return value instanceof Error && typeof (value as { problem?: unknown }).problem === 'string' && typeof (value as { path?: unknown }).path === 'string' && (value as { code?: unknown }).code === 'E_DATA';
}
