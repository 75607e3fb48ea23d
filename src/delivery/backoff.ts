/** Exponential backoff with full jitter: spreads retries so a recovering gateway is not stampeded. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random01: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(1, Math.floor(random01() * ceiling));
}
