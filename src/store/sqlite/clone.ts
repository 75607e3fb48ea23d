/** Structured clone turns Buffers into plain Uint8Arrays; the driver and callers want Buffers. */
export function reviveBuffers<T>(v: T): T {
  if (v instanceof Uint8Array) return (Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength)) as T;
  if (Array.isArray(v)) return v.map(reviveBuffers) as T;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) o[k] = reviveBuffers(o[k]);
  }
  return v;
}

interface PlainError {
  name?: string;
  message?: string;
  code?: string;
}

/** An error as plain data: structured clone keeps an Error's message but drops fields like `code`. */
export function plainError(e: unknown): PlainError {
  const x = (e ?? {}) as PlainError;
  return { name: x.name ?? 'Error', message: x.message ?? String(e), code: x.code };
}

export function reviveError(e: unknown): Error {
  const p = plainError(e);
  return Object.assign(new Error(p.message), { name: p.name, code: p.code });
}
