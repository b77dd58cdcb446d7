import { ConfigError } from './errors';

/**
 * Typed, documented plugin configuration. A plugin declares its options once as fields; the schema
 * gives the TypeScript type, the documented defaults, a `validate` that fills defaults and rejects bad
 * values and unknown keys with messages naming the option, the expected value, what was got and the fix,
 * and a markdown table for the docs.
 */
export interface Field<T> {
  /** One line for docs and error messages. */
  readonly doc: string;
  /** What a valid value looks like, for messages and docs ("integer >= 1"). */
  readonly expects: string;
  /** The documented default; `undefined` means the option is required (unless `optional`). */
  readonly default: T | undefined;
  readonly optional: boolean;
  /** Returns the parsed value or a string saying why the value is invalid. */
  parse(value: unknown): { ok: true; value: T } | { ok: false };
}

export type FieldValue<F> = F extends Field<infer T> ? T : never;
export type Fields = Readonly<Record<string, Field<unknown>>>;

type OptionalKeys<F extends Fields> = { [K in keyof F]: F[K] extends { optional: true } ? K : never }[keyof F];
type RequiredKeys<F extends Fields> = Exclude<keyof F, OptionalKeys<F>>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The validated config type of a field set: options with defaults are always present. */
export type ConfigOf<F extends Fields> = Simplify<
  { readonly [K in RequiredKeys<F>]: FieldValue<F[K]> } & { readonly [K in OptionalKeys<F>]?: FieldValue<F[K]> }
>;

type InputRequiredKeys<F extends Fields> = {
  [K in keyof F]: F[K] extends { optional: true } ? never : F[K] extends { default: undefined } ? K : never;
}[keyof F];

/** The config a user may write: options with a default, and optional ones, may be left out. */
export type ConfigInput<F extends Fields> = Simplify<
  { readonly [K in InputRequiredKeys<F>]: FieldValue<F[K]> } & { readonly [K in Exclude<keyof F, InputRequiredKeys<F>>]?: FieldValue<F[K]> }
>;

export interface ConfigSchema<C> {
  readonly fields: Fields;
  /** Every documented default, by option name. */
  readonly defaults: Readonly<Partial<C>>;
  /** Fills defaults and checks every option; throws ConfigError naming `where` and the option. */
  validate(raw: unknown, where: string): C;
  /** A markdown table of the options: name, meaning, valid values, default. */
  describe(): string;
}

interface NumberOptions<D> {
  readonly doc: string;
  readonly min?: number;
  readonly max?: number;
  /** Exclusive lower bound. */
  readonly above?: number;
  readonly default?: D;
}

function rangeText(kind: string, options: NumberOptions<unknown>): string {
  const bounds: string[] = [];
  if (options.above !== undefined) bounds.push(`> ${options.above}`);
  if (options.min !== undefined) bounds.push(`>= ${options.min}`);
  if (options.max !== undefined) bounds.push(`<= ${options.max}`);
  return bounds.length ? `${kind} ${bounds.join(' and ')}` : kind;
}

function inRange(value: number, options: NumberOptions<unknown>): boolean {
  if (options.above !== undefined && !(value > options.above)) return false;
  if (options.min !== undefined && value < options.min) return false;
  if (options.max !== undefined && value > options.max) return false;
  return true;
}

function makeField<T>(doc: string, expects: string, defaultValue: T | undefined, check: (value: unknown) => value is T): Field<T> {
  return Object.freeze({
    doc,
    expects,
    default: defaultValue,
    optional: false,
    parse: (value: unknown) => (check(value) ? { ok: true as const, value } : { ok: false as const }),
  });
}

/** Field constructors. A field with no `default` is required. */
export const field = {
  int<D extends number | undefined = undefined>(options: NumberOptions<D>): Field<number> & { default: D } {
    const expects = rangeText('an integer', options);
    return makeField<number>(options.doc, expects, options.default, (v): v is number => Number.isSafeInteger(v) && inRange(v as number, options)) as Field<number> & { default: D };
  },
  number<D extends number | undefined = undefined>(options: NumberOptions<D>): Field<number> & { default: D } {
    const expects = rangeText('a finite number', options);
    return makeField<number>(options.doc, expects, options.default, (v): v is number => typeof v === 'number' && Number.isFinite(v) && inRange(v, options)) as Field<number> & { default: D };
  },
  boolean<D extends boolean | undefined = undefined>(options: { doc: string; default?: D }): Field<boolean> & { default: D } {
    return makeField<boolean>(options.doc, "true or false", options.default, (v): v is boolean => typeof v === 'boolean') as Field<boolean> & { default: D };
  },
  oneOf<const V extends readonly string[], D extends V[number] | undefined = undefined>(
    values: V,
    options: { doc: string; default?: D },
  ): Field<V[number]> & { default: D } {
    const expects = `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
    return makeField<V[number]>(options.doc, expects, options.default, (v): v is V[number] => typeof v === 'string' && values.includes(v)) as Field<V[number]> & { default: D };
  },
  /** A list of finite numbers, optionally of fixed length and range. */
  numbers<D extends readonly number[] | undefined = undefined>(
    options: NumberOptions<never> & { readonly length?: number; readonly default?: D },
  ): Field<readonly number[]> & { default: D } {
    const each = rangeText('finite numbers', options);
    const expects = options.length === undefined ? `a list of ${each}` : `a list of ${options.length} ${each}`;
    return makeField<readonly number[]>(options.doc, expects, options.default, (v): v is readonly number[] =>
      Array.isArray(v) &&
      (options.length === undefined || v.length === options.length) &&
      v.every((x) => typeof x === 'number' && Number.isFinite(x) && inRange(x, options)),
    ) as Field<readonly number[]> & { default: D };
  },
  /** Makes a field optional: absent means "not set", with no default. */
  optional<T>(inner: Field<T>): Field<T> & { optional: true; default: undefined } {
    return Object.freeze({ ...inner, optional: true as const, default: undefined });
  },
};

function closest(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const other = candidate.toLowerCase();
    const distance = editDistance(lower, other);
    // Close by edits, or a misspelt abbreviation that shares the start ("hiden" for "hiddenSize").
    const plausible = distance <= Math.max(2, Math.floor(name.length / 3)) || (lower.length >= 3 && other.startsWith(lower.slice(0, 3)) && distance <= other.length / 2 + 1);
    if (plausible && distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  return best;
}

/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/** A "did you mean" suffix for an unknown name, or ''. */
export function suggestion(name: string, candidates: readonly string[]): string {
  const best = closest(name, candidates);
  return best ? ` (did you mean ${JSON.stringify(best)}?)` : '';
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Declares a plugin's options. */
export function defineConfig<F extends Fields>(fields: F): ConfigSchema<ConfigOf<F>> {
  const names = Object.keys(fields);
  const defaults: Record<string, unknown> = {};
  for (const name of names) {
    const value = (fields[name] as Field<unknown>).default;
    if (value !== undefined) defaults[name] = value;
  }
  Object.freeze(defaults);

  function validate(raw: unknown, where: string): ConfigOf<F> {
    const input = raw ?? {};
    if (typeof input !== 'object' || Array.isArray(input)) {
      throw new ConfigError('config must be an object of options', {
        where,
        expected: `an object with keys ${names.join(', ')}`,
        got: describeValue(raw),
        fix: 'pass the options as a plain object',
      });
    }
    const record = input as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!(key in fields)) {
        throw new ConfigError(`unknown option ${JSON.stringify(key)}${suggestion(key, names)}`, {
          where,
          expected: names.length ? `one of ${names.join(', ')}` : 'no options',
          got: JSON.stringify(key),
          fix: 'remove or rename the option',
        });
      }
    }
    const result: Record<string, unknown> = {};
    for (const name of names) {
      const spec = fields[name] as Field<unknown>;
      const value = record[name];
      if (value === undefined) {
        if (spec.default !== undefined) result[name] = spec.default;
        else if (!spec.optional) {
          throw new ConfigError(`missing required option ${JSON.stringify(name)} (${spec.doc})`, {
            where,
            expected: spec.expects,
            got: 'nothing',
            fix: `set ${name} in the config`,
          });
        }
        continue;
      }
      const parsed = spec.parse(value);
      if (!parsed.ok) {
        throw new ConfigError(`invalid option ${JSON.stringify(name)} (${spec.doc})`, {
          where,
          expected: spec.expects,
          got: describeValue(value),
          fix: spec.default !== undefined ? `use ${spec.expects}, or leave it out for the default ${describeValue(spec.default)}` : `use ${spec.expects}`,
        });
      }
      result[name] = parsed.value;
    }
    return Object.freeze(result) as ConfigOf<F>;
  }

  function describe(): string {
    const rows = names.map((name) => {
      const spec = fields[name] as Field<unknown>;
      const def = spec.default !== undefined ? JSON.stringify(spec.default) : spec.optional ? '(unset)' : '(required)';
      return `| \`${name}\` | ${spec.doc} | ${spec.expects} | ${def} |`;
    });
    return ['| option | meaning | valid values | default |', '|---|---|---|---|', ...rows].join('\n');
  }

  return Object.freeze({ fields, defaults: defaults as Partial<ConfigOf<F>>, validate, describe });
}
