import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usage-error';

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Parses a command's arguments strictly; unknown options and missing values become UsageErrors. */
export function parseOptions<O extends OptionSpec>(command: string, argv: readonly string[], options: O, positionals = 0) {
  try {
    const parsed = parseArgs({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: positionals > 0 });
    if (parsed.positionals.length > positionals) throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[positionals])}`, `see unfold ${command} --help`);
    return parsed;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message.replace(/\. To specify a positional.*$/s, ''), `see unfold ${command} --help`);
  }
}

export function integerOption(value: string | undefined, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < min) throw new UsageError(`--${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`, `pass e.g. --${name} ${fallback}`);
  return number;
}

/** --port: an integer from 0 (a free port) to 65535. */
export function portOption(value: string | undefined, fallback: number): number {
  const port = integerOption(value, 'port', fallback, 0);
  if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${JSON.stringify(value)}`, 'pass a port from 1 to 65535, or --port 0 for a free one');
  return port;
}

export function numberOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new UsageError(`--${name} must be a positive number, got ${JSON.stringify(value)}`, `pass e.g. --${name} ${fallback}`);
  return number;
}

export function choiceOption<const C extends readonly string[]>(value: string | undefined, name: string, choices: C, fallback: C[number]): C[number] {
  if (value === undefined) return fallback;
  if (!choices.includes(value)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`, `pass e.g. --${name} ${fallback}`);
  return value as C[number];
}
