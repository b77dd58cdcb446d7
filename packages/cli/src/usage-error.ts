/** A mistake in how the command was called: printed as one line with the fix, exit code 2. */
export class UsageError extends Error {
  constructor(message: string, readonly fix: string) {
    super(message);
    this.name = 'UsageError';
  }
}
