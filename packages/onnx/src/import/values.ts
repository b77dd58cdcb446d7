import { numberDim, productDims, type Dim } from './dims';

/**
 * The abstract values the importer's evaluator computes for every value of an ONNX graph. Nothing is
 * run on real data: a value is known as far as glue needs it.
 *
 *   static   a tensor known element by element: initializers, Constants and everything folded from them,
 *            and integer shape tensors whose elements may be symbolic dims (Shape(x) = [batch, time, 3])
 *   filled   every element the same known value, shape symbolic: ConstantOfShape, Expand of a constant
 *            (PyTorch's zero initial states)
 *   marked   an integer or boolean tensor with a known meaning along marked axes: sequence lengths (from a
 *            graph input, possibly sorted), batch permutations (TopK indices and their inverses), step
 *            indices (Range), padding masks (step < length) and non-empty flags (length > 0)
 *   data     a float tensor computed from graph inputs: a view of "entries" (see below) with its axes
 *            described by atoms, so Transpose / Reshape / Squeeze / Slice / Gather / Concat move atoms
 *            around instead of numbers
 *
 * A data value's atoms: `axis` atoms are the time and batch axes (their role is learnt when a recurrent
 * node reads them), one `entries` atom lists what is stacked (the directions of a recurrent node's Y, the
 * layers of PyTorch's h_n, a graph input), and one `units` atom is the features of each entry. Every
 * physical axis is a row-major group of atoms; an atom in no group has size 1 ("pinned").
 */
export type ElementType = 'float32' | 'float64' | 'float16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool' | 'unsupported';

/** An element of a static tensor: a number, or a symbolic dimension inside an integer shape tensor. */
export type Element = number | Dim;

export interface StaticValue {
  readonly kind: 'static';
  readonly dtype: ElementType;
  readonly shape: readonly number[];
  /** Row-major; float values are exactly the file's float32 values. */
  readonly data: readonly Element[];
}

export interface FilledValue {
  readonly kind: 'filled';
  readonly dtype: ElementType;
  readonly shape: readonly Dim[];
  readonly value: Element;
}

/** A batch permutation as a word of named permutations: [a, b] means index i reads a(b(i)). */
export type PermWord = readonly { readonly symbol: string; readonly inverse: boolean }[];

export interface LengthsSource {
  /** The graph input holding the lengths. */
  readonly input: string;
  /** The lengths are read through this batch permutation (PyTorch's sort by length). */
  readonly word: PermWord;
  /** Clipped to [0, time] (Min / Max) on the way, as unfold's exporter does. */
  readonly clipped: boolean;
}

export type Meaning =
  | { readonly what: 'lengths'; readonly lengths: LengthsSource }
  | { readonly what: 'permutation'; readonly word: PermWord }
  | { readonly what: 'index' }
  | { readonly what: 'mask'; readonly lengths: LengthsSource }
  | { readonly what: 'non-empty'; readonly lengths: LengthsSource };

export interface MarkedValue {
  readonly kind: 'marked';
  readonly dtype: ElementType;
  readonly shape: readonly Dim[];
  readonly meaning: Meaning;
  /** `seq`: the axis that runs over sequences (batch); `step`: the axis that runs over time steps or indices. */
  readonly marks: { readonly seq?: number; readonly step?: number };
}

export type Entry =
  | { readonly kind: 'input'; readonly name: string; readonly index?: number }
  | { readonly kind: 'output'; readonly node: number; readonly direction: number }
  | { readonly kind: 'final'; readonly node: number; readonly direction: number; readonly state: 'h' | 'c' }
  | { readonly kind: 'head'; readonly head: number }
  /** Features [offset, offset + size) of a head's output (a Slice of a bridge's output into decoder states). */
  | { readonly kind: 'head-part'; readonly head: number; readonly offset: number; readonly size: number }
  /** The token ids of an integer graph input (one unit per position): only an embedding may read them. */
  | { readonly kind: 'tokens'; readonly name: string }
  /** The vectors an embedding (Gather of a constant table by token ids) looks up. */
  | { readonly kind: 'embedded'; readonly embedding: number };

export type Atom =
  | { readonly kind: 'axis'; readonly id: string; readonly size: Dim; readonly input?: { readonly name: string; readonly axis: number } }
  | { readonly kind: 'entries'; readonly entries: readonly Entry[] }
  | { readonly kind: 'units'; readonly size: number };

export interface BatchPermutation {
  /** Id of the axis atom the permutation applies to. */
  readonly atom: string;
  readonly word: PermWord;
}

export interface DataValue {
  readonly kind: 'data';
  readonly atoms: readonly Atom[];
  /** Each physical axis: indices into `atoms`, merged row-major. */
  readonly axes: readonly (readonly number[])[];
  readonly perm: BatchPermutation | undefined;
  /** Padded steps were set to exactly 0 (a Where on a step < length mask). */
  readonly zeroPadded: boolean;
  /** Final states keep the initial state for empty sequences (a Where on length > 0). */
  readonly keepsInitial: boolean;
  /** The time axis was reduced to its last step (Gather -1 or Slice [-1:] on time): a last-step readout. */
  readonly lastStep: boolean;
}

export type Value = StaticValue | FilledValue | MarkedValue | DataValue;

export function atomSize(atom: Atom): Dim {
  if (atom.kind === 'axis') return atom.size;
  return numberDim(atom.kind === 'entries' ? atom.entries.length : atom.size);
}

export function shapeOf(value: Value): readonly Dim[] {
  switch (value.kind) {
    case 'static':
      return value.shape.map(numberDim);
    case 'filled':
    case 'marked':
      return value.shape;
    case 'data':
      return value.axes.map((group) => productDims(group.map((i) => atomSize(value.atoms[i] as Atom))));
  }
}

export function describeValue(value: Value): string {
  switch (value.kind) {
    case 'static':
      return `a constant ${value.dtype} tensor of shape [${value.shape.join(', ')}]`;
    case 'filled':
      return `a constant-filled ${value.dtype} tensor`;
    case 'marked':
      return `${value.meaning.what === 'permutation' ? 'a batch permutation' : value.meaning.what === 'index' ? 'a range of indices' : value.meaning.what === 'lengths' ? 'sequence lengths' : `a ${value.meaning.what} condition`}`;
    case 'data':
      return 'a tensor computed from the inputs';
  }
}

export function reduceWord(word: PermWord): PermWord {
  const out: { symbol: string; inverse: boolean }[] = [];
  for (const item of word) {
    const last = out[out.length - 1];
    if (last && last.symbol === item.symbol && last.inverse !== item.inverse) out.pop();
    else out.push({ ...item });
  }
  return out;
}

export function invertWord(word: PermWord): PermWord {
  return [...word].reverse().map((item) => ({ symbol: item.symbol, inverse: !item.inverse }));
}

export function sameWord(a: PermWord, b: PermWord): boolean {
  const x = reduceWord(a);
  const y = reduceWord(b);
  return x.length === y.length && x.every((item, i) => item.symbol === y[i]?.symbol && item.inverse === y[i]?.inverse);
}

export function formatWord(word: PermWord): string {
  const reduced = reduceWord(word);
  return reduced.length ? reduced.map((p) => (p.inverse ? `${p.symbol}⁻¹` : p.symbol)).join('∘') : 'identity';
}

export function entryKey(entry: Entry): string {
  switch (entry.kind) {
    case 'input':
      return entry.index === undefined ? `input ${entry.name}` : `input ${entry.name}[${entry.index}]`;
    case 'output':
      return `Y of recurrent node ${entry.node} direction ${entry.direction}`;
    case 'final':
      return `Y_${entry.state} of recurrent node ${entry.node} direction ${entry.direction}`;
    case 'head':
      return `head ${entry.head}`;
    case 'head-part':
      return `head ${entry.head} features [${entry.offset}, ${entry.offset + entry.size})`;
    case 'tokens':
      return `token ids ${entry.name}`;
    case 'embedded':
      return `embedding ${entry.embedding}`;
  }
}
