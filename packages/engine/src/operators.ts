import { OPERATORS } from './ops/registry';

/**
 * The operators the engine runs, each with the default-domain opset versions it implements: a file whose
 * every node is listed here (at its opset) runs on the engine; any other is refused at load with the fix
 * to serve it with onnxruntime. For a CLI's `auto` choice and for docs.
 */
export const supportedOperators: Readonly<Record<string, { readonly since: number; readonly until: number }>> = Object.freeze(
  Object.fromEntries([...OPERATORS].sort(([a], [b]) => a.localeCompare(b)).map(([name, op]) => [name, Object.freeze({ since: op.since, until: op.until })])),
);
