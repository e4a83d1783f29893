/** Typed wrappers for jest's asymmetric matchers (which are typed `any`). */

export function containing(text: string): string {
  const matcher: unknown = expect.stringContaining(text);
  return matcher as string;
}

export function anything<T>(): T {
  const matcher: unknown = expect.anything();
  return matcher as T;
}

export function objectContaining<T extends object>(fields: T): T {
  const matcher: unknown = expect.objectContaining(fields);
  return matcher as T;
}
