// The source files the repository checks read: .ts/.mts/.cts/.js/.mjs below a folder, leaving out
// node_modules, build output (dist), committed fixtures and dot-folders.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every source file below `dir` (none when it does not exist). */
export function sourceFiles(dir, files = []) {
  if (!existsSync(dir)) return files;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'fixtures' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, files);
    else if (/\.(ts|mts|cts|js|mjs)$/.test(name)) files.push(path);
  }
  return files;
}
