import { isRuntimeError, type OrtModule } from '@unfold/runtime';

/**
 * `auto`: the compact engine for the files and calls it suits, onnxruntime for the rest. Every file is
 * opened on the compact engine first, which checks each node (operator and opset against
 * `supportedOperators`, attributes, dtypes); a file it refuses (E_MODEL) goes to onnxruntime whole. On a
 * file it accepts, a call whose largest input holds more than `maxCompactElements` numbers runs on an
 * onnxruntime session opened on first need (so a server that only ever sees small calls never loads onnxruntime at all).
 *
 * The threshold comes from a measurement (docs/engines.md: batch-1 latency against batch size on the
 * LSTM H128 T64 export, compact against onnxruntime-node): below it the compact engine answers sooner.
 */
export interface AutoRule {
  /**
   * Calls whose largest input (the sequences, `[batch, time, features]` for unfold's exports; states and
   * lengths are smaller) holds at most this many numbers run on the compact engine.
   */
  readonly maxCompactElements: number;
}

/** What an `auto` session chose for one file, for the server's start-up log. */
export type AutoChoice = { readonly engine: 'compact'; readonly largeCalls: 'fallback' } | { readonly engine: 'fallback'; readonly because: string };

interface TensorLike {
  readonly type: string;
  readonly data: unknown;
  readonly dims: readonly number[];
}

interface SessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<Record<string, TensorLike>>;
  release(): Promise<void>;
}

interface FlavourLike {
  readonly InferenceSession: { create(bytes: Uint8Array, options?: unknown): Promise<SessionLike> };
  readonly Tensor: new (type: never, data: never, dims: readonly number[]) => unknown;
}

/** A tensor of neither engine: the runtime builds feeds with it, and each run re-wraps them for its engine. */
class PlainTensor implements TensorLike {
  constructor(
    readonly type: string,
    readonly data: unknown,
    readonly dims: readonly number[],
  ) {}
}

/** The number of elements of the largest feed. */
function size(feeds: Record<string, unknown>): number {
  let largest = 0;
  for (const tensor of Object.values(feeds)) largest = Math.max(largest, (tensor as TensorLike).dims.reduce((a, b) => a * b, 1));
  return largest;
}

function rewrap(flavour: FlavourLike, feeds: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, tensor] of Object.entries(feeds)) {
    const { type, data, dims } = tensor as TensorLike;
    out[name] = new flavour.Tensor(type as never, data as never, [...dims]);
  }
  return out;
}

export interface AutoOptions {
  readonly compact: OrtModule;
  /** The onnxruntime flavour, loaded on first need. */
  readonly fallback: () => Promise<OrtModule>;
  readonly rule: AutoRule;
  /** Told what each opened file runs on (the server logs it). */
  readonly onChoice?: (choice: AutoChoice) => void;
}

/** An `OrtModule` whose sessions route as described above; `createRuntime(autoFlavour(...))` serves with it. */
export function autoFlavour(options: AutoOptions): OrtModule {
  const compact = options.compact as unknown as FlavourLike;
  const fallback = async () => (await options.fallback()) as unknown as FlavourLike;
  const create = async (bytes: Uint8Array, sessionOptions?: unknown): Promise<SessionLike> => {
    let small: SessionLike;
    try {
      small = await compact.InferenceSession.create(bytes, sessionOptions);
    } catch (refusal) {
      if (!isRuntimeError(refusal, 'E_MODEL')) throw refusal;
      options.onChoice?.({ engine: 'fallback', because: refusal.message });
      const ort = await fallback();
      const session = await ort.InferenceSession.create(bytes, sessionOptions);
      return { inputNames: session.inputNames, outputNames: session.outputNames, run: (feeds) => session.run(rewrap(ort, feeds)), release: () => session.release() };
    }
    options.onChoice?.({ engine: 'compact', largeCalls: 'fallback' });
    let large: Promise<{ ort: FlavourLike; session: SessionLike }> | undefined;
    const openLarge = () => {
      large ??= fallback().then(async (ort) => ({ ort, session: await ort.InferenceSession.create(bytes, sessionOptions) }));
      large.catch(() => (large = undefined)); // a failed open is retried by the next large call
      return large;
    };
    return {
      inputNames: small.inputNames,
      outputNames: small.outputNames,
      async run(feeds) {
        if (size(feeds) <= options.rule.maxCompactElements) return small.run(rewrap(compact, feeds));
        const { ort, session } = await openLarge();
        return session.run(rewrap(ort, feeds));
      },
      async release() {
        await small.release();
        if (large) await (await large.catch(() => undefined))?.session.release();
      },
    };
  };
  return { InferenceSession: { create }, Tensor: PlainTensor } as unknown as OrtModule;
}
