/** A check that a value read back from disk has the shape the code expects, so no cast has to be trusted. */
export type Check<T> = (value: unknown) => value is T;

export const isString: Check<string> = (value): value is string => typeof value === 'string';
export const isNumber: Check<number> = (value): value is number => typeof value === 'number' && Number.isFinite(value);
export const isBoolean: Check<boolean> = (value): value is boolean => typeof value === 'boolean';

export function nullable<T>(check: Check<T>): Check<T | null> {
  return (value): value is T | null => value === null || check(value);
}

export function optional<T>(check: Check<T>): Check<T | undefined> {
  return (value): value is T | undefined => value === undefined || check(value);
}

export function arrayOf<T>(check: Check<T>): Check<T[]> {
  return (value): value is T[] => Array.isArray(value) && value.every(check);
}

export function literal<T extends string>(...choices: readonly T[]): Check<T> {
  return (value): value is T => choices.some((choice) => choice === value);
}

/** An object (not an array, not null), whose fields are yet to be checked: JSON's or TOML's `{…}`. */
export const isRecord: Check<Record<string, unknown>> = (value): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `text` parsed as JSON when it is an object (not an array, not null); undefined when it is not JSON or not one. */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  return isRecord(parsed) ? parsed : undefined;
}

/** An object with (at least) these fields, each passing its check; a field that may be missing uses `optional`. */
export function shape<T extends object>(fields: { [K in keyof T]-?: Check<T[K]> }): Check<T> {
  const checks: Record<string, Check<unknown>> = fields;
  const entries = Object.entries(checks);
  return (value): value is T => isRecord(value) && entries.every(([key, check]) => check(value[key]));
}

/** One of several checks. */
export function either<A, B>(a: Check<A>, b: Check<B>): Check<A | B> {
  return (value): value is A | B => a(value) || b(value);
}
