/**
 * The errors the store layer throws on purpose. Both are safe to show a client: their messages carry
 * no secret (URLs are redacted) and no driver detail; the driver's error stays in `cause` for logs.
 */

/** The store (Redis, PostgreSQL) cannot be reached, refused the login, or timed out. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';

  /** `url` is already redacted (see `redactUrl`). */
  constructor(
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(`The store ${url} is unreachable; try again shortly.`, options);
  }
}

/** `Store.withLock` waited `waitMs` for the named lock (held by this or another process) in vain. */
export class LockTimeoutError extends Error {
  override readonly name = 'LockTimeoutError';

  constructor(
    readonly lock: string,
    readonly waitMs: number,
  ) {
    super(`Timed out after ${waitMs} ms waiting for the lock "${lock}" (held by another request or instance).`);
  }
}

/**
 * The URL with its password (and any `password` query parameter) replaced by `***`:
 * `redis://:secret@host:6379/0` → `redis://:***@host:6379/0`. Never throws.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) if (/pass/i.test(key)) parsed.searchParams.set(key, '***');
    return parsed.toString();
  } catch {
    return `${url.split(':', 1)[0]}://***`;
  }
}

/** A one-line reason from a driver error (Node's connection errors can be AggregateErrors without a message). */
export function reasonOf(err: unknown): string {
  const e = err as { message?: string; code?: string; errors?: unknown[]; cause?: unknown } | undefined;
  const message = e?.message || (e?.errors?.length ? reasonOf(e.errors[0]) : '') || e?.code || String(err);
  const code = e?.code && !message.includes(e.code) ? ` (${e.code})` : '';
  return `${message}${code}`.replace(/\s+/g, ' ').trim();
}
