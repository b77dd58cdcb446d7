// What the committed launcher (bin/unfold.js) loads: the command line and the process's standard streams,
// nothing else. The package index also exports the model helpers, which load tfjs and the cells; each
// command imports its own modules when it runs (cli.ts), so `unfold serve` loads only the server and its one engine.
export { runCli } from './cli';
export { processIo } from './io';
