// Public API of @unfold/cli: the command line as a function, for embedding and tests.
export { HELP, runCli } from './cli';
export { processIo, type Io } from './io';
export { builtInRegistry, forecasterSpec, FORECASTER_CELLS, type ForecasterCell } from './models';
export { UsageError } from './usage-error';
