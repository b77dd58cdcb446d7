/**
 * Symbolic dimensions for the importer's graph evaluator. A dimension is an integer factor times a
 * product of named symbols: `batch`, `time`, `2·batch`, or a plain number. Symbols come from the
 * graph inputs' `dim_param`s (PyTorch writes the `dynamic_axes` names there); an input axis without
 * one gets a fresh symbol `<input>:<axis>`. Shapes computed by Shape/Gather/Concat/ReduceProd stay
 * symbolic, so glue like ConstantOfShape([2, batch, 4]) or Reshape([0, 0, -1]) is evaluated for every
 * batch and time, not for the sizes the file was exported with.
 */
export interface Dim {
  readonly factor: number;
  /** Symbol names, sorted (a product commutes). */
  readonly symbols: readonly string[];
}

export function numberDim(value: number): Dim {
  return { factor: value, symbols: [] };
}

export function symbolDim(name: string): Dim {
  return { factor: 1, symbols: [name] };
}

export function mulDims(a: Dim, b: Dim): Dim {
  return { factor: a.factor * b.factor, symbols: [...a.symbols, ...b.symbols].sort() };
}

/** a / b when it divides exactly (the factor and every symbol of b), else undefined. */
export function divDims(a: Dim, b: Dim): Dim | undefined {
  if (b.factor === 0 || a.factor % b.factor !== 0) return undefined;
  const rest = [...a.symbols];
  for (const symbol of b.symbols) {
    const at = rest.indexOf(symbol);
    if (at < 0) return undefined;
    rest.splice(at, 1);
  }
  return { factor: a.factor / b.factor, symbols: rest };
}

export function productDims(dims: readonly Dim[]): Dim {
  return dims.reduce(mulDims, numberDim(1));
}

export function sameDim(a: Dim, b: Dim): boolean {
  return a.factor === b.factor && a.symbols.length === b.symbols.length && a.symbols.every((s, i) => s === b.symbols[i]);
}

/** The number, when the dimension has no symbols. */
export function concreteDim(dim: Dim): number | undefined {
  return dim.symbols.length === 0 ? dim.factor : undefined;
}

export function isOneDim(dim: Dim): boolean {
  return dim.symbols.length === 0 && dim.factor === 1;
}

export function formatDim(dim: Dim): string {
  if (dim.symbols.length === 0) return String(dim.factor);
  const symbols = dim.symbols.join('·');
  return dim.factor === 1 ? symbols : `${dim.factor}·${symbols}`;
}

export function formatDims(dims: readonly Dim[]): string {
  return `[${dims.map(formatDim).join(', ')}]`;
}
