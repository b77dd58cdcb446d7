// The one way a bench fails: a measured rate above the ceiling it is compared with. That is never a fast
// kernel, always a wrong measurement (of the rate or of the ceiling), so the figures must not be published.

/** Thrown (and turned into a non-zero exit by the bench) when a row reports more than 100% of its ceiling. */
export class CeilingExceededError extends Error {
  constructor(offenders) {
    super(
      `${offenders.length} row(s) report more than 100% of their ceiling, so the ceiling (or the rate) is measured wrong:\n` +
        offenders.map((o) => `  - ${o.row}: ${o.what} = ${(100 * o.fraction).toFixed(0)}%`).join('\n') +
        '\nexpected every fraction ≤ 100%; fix the measurement (warm-up, same threads, best over shapes) before publishing these figures',
    );
    this.name = 'CeilingExceededError';
    this.offenders = offenders;
  }
}

/**
 * Checks `fractions(row)` (a list of { what, fraction }) for every row, named by `name(row)`; throws a
 * CeilingExceededError listing every fraction above 1. Non-finite fractions (no ceiling measured) are skipped.
 */
export function assertWithinCeiling(rows, name, fractions) {
  const offenders = rows.flatMap((row) => fractions(row).filter((f) => Number.isFinite(f.fraction) && f.fraction > 1).map((f) => ({ row: name(row), ...f })));
  if (offenders.length) throw new CeilingExceededError(offenders);
}

/** Runs `main`; a CeilingExceededError becomes its message on stderr and exit code 1 (anything else rethrows). */
export async function exitOnCeilingExceeded(main) {
  try {
    await main();
  } catch (error) {
    if (!(error instanceof CeilingExceededError)) throw error;
    console.error(error.message);
    process.exitCode = 1;
  }
}
