import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../usage-error';

/**
 * The repository's examples/ folder (ready specs and data), searched upwards from the working folder and
 * from the running `unfold` executable: found from a clone whether the command runs at its root (npm
 * start), in a sub-folder, or from the launcher in packages/cli/bin.
 */
export function examplesFolder(wanted: string): string {
  const starts = [process.cwd()];
  try {
    if (process.argv[1]) starts.push(dirname(realpathSync(process.argv[1])));
  } catch {
    // no executable path to search from
  }
  for (const start of starts) {
    for (let dir = start; ; dir = dirname(dir)) {
      if (existsSync(join(dir, 'examples', wanted))) return join(dir, 'examples');
      if (dirname(dir) === dir) break;
    }
  }
  throw new UsageError(`the main job's examples (examples/${wanted}) are not in this folder or above it`, 'run unfold demo inside a clone of the unfold repository (its examples/ folder holds the specs and data the demo trains)');
}
