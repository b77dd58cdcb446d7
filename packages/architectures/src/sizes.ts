import { ConfigError, inputSizeOf, type ResolvedNode } from '@unfold/core';

/** Throws a ConfigError unless `child` takes inputs of `size` features. */
export function expectInputSize(child: ResolvedNode, size: number, because: string): void {
  const got = inputSizeOf(child);
  if (got !== size) {
    throw new ConfigError('input size does not match', {
      where: child.path,
      expected: `inputSize ${size} (${because})`,
      got: `inputSize ${got}`,
      fix: `set inputSize: ${size} in ${child.path}'s config`,
    });
  }
}
