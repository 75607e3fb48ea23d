/** The same functions, answering with promises: how a synchronous SQLite read meets the async port. */
export type Async<T> = {
  [K in keyof T]: T[K] extends (...a: infer A) => infer R ? (...a: A) => Promise<Awaited<R>> : never;
};

/** Wraps each function so that a throw becomes a rejection, as callers of the port expect. */
export function asyncAll<T extends Record<string, (...a: never[]) => unknown>>(fns: T): Async<T> {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(fns)) out[name] = async (...a: never[]) => fn(...a);
  return out as Async<T>;
}
