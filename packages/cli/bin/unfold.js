#!/usr/bin/env node
// The `unfold` command: a committed launcher (so npm links it at install time, before any build) that runs
// the built command line in ../dist (dist/launch.js: the command line alone; each command loads its own
// modules when it runs). In a fresh clone it says in one line how to build it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/launch.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(`unfold: the command is not built yet (${fileURLToPath(entry)} is missing). Fix: run \`npx nx run @unfold/cli:build\` (or \`npm run build\`) in the unfold workspace, then run unfold again\n`);
  process.exit(2);
}
const { runCli, processIo } = await import(entry.href);
runCli(process.argv.slice(2), processIo).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`unfold: internal error: ${error?.message ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
