import type { GraphValue, ModelDescription, Operation } from '@unfold/runtime';

/**
 * Example requests for a served model, built from its description alone, and the curl commands that send
 * them: what `unfold serve` prints so a user can try a model at once. A test sends every example to the
 * handler and expects 200.
 */
export type ExampleRequests = Partial<Record<Operation, Record<string, unknown>>>;

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** One example sequence: a forecaster's window of values around its mean, ramps for features, ids for tokens. */
function exampleSequence(description: ModelDescription): unknown[] {
  const sequence = description.sequence;
  if (!sequence) return [];
  const length = sequence.window ?? 4;
  const n = sequence.normalisation;
  return Array.from({ length }, (_, t) => {
    if (sequence.inputKind === 'tokens') return t % sequence.inputSize;
    if (sequence.inputSize === 1) return round(n ? n.mean + 0.5 * n.std * Math.sin(t) : 0.1 * t);
    return Array.from({ length: sequence.inputSize }, (_, i) => round(0.1 * (t + i)));
  });
}

/**
 * One example tree for a tree model: a head word over two leaves (one for a unary N-ary model), the words
 * from its tokenizer (after the four specials), or ids without one; a JSON tree of ramps for features.
 */
function exampleTree(tree: NonNullable<ModelDescription['tree']>, description: ModelDescription): unknown {
  const leaves = tree.arity === 1 ? 1 : 2;
  if (tree.nodes === 'features') {
    const node = (t: number) => ({ features: Array.from({ length: tree.inputSize }, (_, i) => round(0.1 * (t + i))) });
    return { ...node(0), children: Array.from({ length: leaves }, (_, k) => node(k + 1)) };
  }
  const tokens = description.entries?.[0]?.semantics.tokenizer?.tokens;
  const words = tree.tokenizer && Array.isArray(tokens) && tokens.length > 4 ? (tokens.slice(4) as string[]) : Array.from({ length: tree.inputSize }, (_, id) => String(id));
  const word = (k: number) => words[k % words.length] as string;
  return `(${[word(0), ...Array.from({ length: leaves }, (_, k) => word(k + 1))].join(' ')})`;
}

/** A tensor of a graph input's declared shape (named dims 1): zeros, ones for integers (lengths ≥ 1). */
function exampleTensor(value: GraphValue): unknown {
  const fill = value.dtype === 'bool' ? false : /int/.test(value.dtype) ? 1 : 0;
  const build = (dims: readonly (number | string | null)[]): unknown => (dims.length === 0 ? fill : Array.from({ length: typeof dims[0] === 'number' ? dims[0] : 1 }, () => build(dims.slice(1))));
  return build(value.shape ?? [1]);
}

/**
 * A task spanning entries (a seq2seq model's generate): a source text from the first entry's tokenizer
 * (its five most frequent tokens), decoded by beam search.
 */
function spanningExample(description: ModelDescription, first: string | undefined): Record<string, unknown> {
  const tokenizer = description.entries?.find((e) => e.name === first)?.semantics.tokenizer;
  const tokens = Array.isArray(tokenizer?.tokens) ? (tokenizer.tokens as unknown[]).slice(4, 9).filter((t): t is string => typeof t === 'string') : [];
  return { inputs: [tokens.join(tokenizer?.kind === 'word' ? ' ' : '')], strategy: 'beam', beamWidth: 3 };
}

export function exampleRequests(description: ModelDescription): ExampleRequests {
  if (description.format === 'onnx') return { predict: { inputs: Object.fromEntries(description.inputs.map((v) => [v.name, exampleTensor(v)])) } };
  if (description.tree) return { predict: { trees: [exampleTree(description.tree, description)] } };
  const spanning = description.tasks?.find((task) => description.operations.includes(task.name));
  if (spanning) return { [spanning.name]: spanningExample(description, spanning.entries[0]) };
  const sequence = exampleSequence(description);
  const half = Math.max(1, Math.floor(sequence.length / 2));
  const tokens = description.sequence?.inputKind === 'tokens';
  const examples: ExampleRequests = { predict: { inputs: [sequence] } };
  if (description.operations.includes('stream')) examples.stream = { inputs: [sequence.slice(0, half)] };
  if (description.operations.includes('rollout')) {
    const vocabulary = description.sequence?.inputSize ?? 1;
    examples.rollout = {
      inputs: [sequence],
      steps: 10,
      ...(description.sequence?.window ? { feedback: 'window' } : {}),
      ...(tokens ? { sampling: { strategy: 'sample', temperature: 0.8, topK: Math.min(5, vocabulary), seed: 1 } } : {}),
    };
  }
  if (description.operations.includes('generate')) {
    // The prompt: the tokenizer's most frequent token (the first after the four specials).
    const entry = description.entries?.find((e) => e.operations.includes('generate'));
    const tokens = entry?.semantics.tokenizer?.tokens;
    const prompt = Array.isArray(tokens) && typeof tokens[4] === 'string' ? tokens[4] : '';
    const vocabulary = entry?.ports.inputs[0]?.size ?? 1;
    examples.generate = { prompt, maxLength: 20, temperature: 0.8, topK: Math.min(5, vocabulary), seed: 1 };
  }
  return examples;
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** curl commands for every example of a model served at `baseUrl`. */
export function curlExamples(baseUrl: string, description: ModelDescription): string[] {
  return Object.entries(exampleRequests(description)).map(([operation, body]) => `curl -s ${quote(`${baseUrl}/models/${encodeURIComponent(description.name)}/${operation}`)} -H 'content-type: application/json' -d ${quote(JSON.stringify(body))}`);
}
