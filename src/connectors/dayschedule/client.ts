import type { z } from 'zod';
import type { ConnectionTokens, TokenStrategy } from '../../tokens/token-manager.js';
import { ProviderError } from '../errors.js';
import { expectOk, type HttpClient, type HttpResponse, parseBody } from '../http.js';
import { collectPages, type PlatformPage } from '../paging.js';
import { dayscheduleProvider as P } from './provider.js';
import { errorBodySchema, listOf } from './schemas.js';

/** The platform's own words from a §5 error body (`message` is a string or a list of strings). */
export function describeError(text: string): string | null {
  const parsed = errorBodySchema.safeParse(JSON.parse(text));
  if (!parsed.success) return null;
  const m = parsed.data.message;
  return (Array.isArray(m) ? m.join('; ') : m) || parsed.data.error || null;
}

/** One page of a §3 list: its items, `next` = the offset of the next page (null at the end), and the list's `total`. */
export interface ListPage<T> extends PlatformPage<T, number> {
  total: number;
}

type Query = Record<string, string | number | undefined>;

/** HTTP calls of DaySchedule's v1 API with the connection's Bearer token, and of the public v2 API. */
export class DayScheduleClient {
  constructor(
    private readonly http: HttpClient,
    private readonly apiUrl: string,
    private readonly tokens: ConnectionTokens,
    private readonly strategy: TokenStrategy,
  ) {}

  private url(base: string, path: string, query: Query = {}): string {
    const u = new URL(`${this.apiUrl}${base}${path}`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  /** One authenticated call: a 401 renews the token once (token manager) and runs the call again. */
  private call(operation: string, method: 'GET' | 'POST' | 'PUT', path: string, query: Query, json?: unknown): Promise<HttpResponse> {
    const write = method !== 'GET';
    return this.tokens.use('default', this.strategy, async (t) =>
      expectOk(
        await this.http.send({ operation, method, url: this.url(P.apiPath, path, query), json, headers: { authorization: `Bearer ${t.accessToken}` } }),
        { provider: P.key, operation, write, describe: describeError },
      ),
    );
  }

  /**
   * GETs one record. Throws NOT_FOUND for 404 and for 400 (the platform's answer to an id that is
   * not a Mongo id, e.g. "booking_id must be a mongodb id": a record by id has no other input, so a
   * malformed id is one that names nothing), else like every other classified error.
   */
  async get<T extends z.ZodType>(operation: string, path: string, schema: T, query: Query = {}): Promise<z.infer<T>> {
    let res: HttpResponse;
    try {
      res = await this.call(operation, 'GET', path, query);
    } catch (err) {
      if (err instanceof ProviderError && err.status === 400) {
        throw new ProviderError(P.key, operation, 'NOT_FOUND', `${P.key} found nothing for ${operation}: ${err.message}`, { status: 400, cause: err });
      }
      throw err;
    }
    return parseBody(res, schema, P.key, operation);
  }

  /**
   * One page of a §3 list at `offset`. The platform answers 404 for a page with nothing on it (no
   * match, or `offset >= total`): that is an empty last page, not an error.
   */
  async page<T extends z.ZodType>(operation: string, path: string, query: Query, item: T, offset: number, limit: number): Promise<ListPage<z.infer<T>>> {
    let res: HttpResponse;
    try {
      res = await this.call(operation, 'GET', path, { ...query, limit: Math.min(limit, P.pageLimit), offset });
    } catch (err) {
      if ((err as { code?: string }).code === 'NOT_FOUND') return { items: [], total: offset, next: null };
      throw err;
    }
    const body = parseBody(res, listOf(item), P.key, operation);
    const reached = body.offset + body.returned;
    const next = body.returned > 0 && reached < body.total ? reached : null;
    return { items: body.result as Array<z.infer<T>>, total: body.total, next };
  }

  /** Every item of a list, page by page (100 at a time) until `offset + returned >= total` (`collectPages`). */
  async all<T extends z.ZodType>(operation: string, path: string, query: Query, item: T): Promise<Array<z.infer<T>>> {
    return collectPages(P.key, operation, (offset: number | null) => this.page(operation, path, query, item, offset ?? 0, P.pageLimit));
  }

  /** A JSON write (`POST`/`PUT`): 400/409/422 become BAD_USER_INPUT with the platform's message. */
  async write<T extends z.ZodType>(operation: string, method: 'POST' | 'PUT', path: string, body: unknown, schema: T): Promise<z.infer<T>> {
    return parseBody(await this.call(operation, method, path, {}, body), schema, P.key, operation);
  }

  /** GETs from the public widget API (§3.5): no credentials. */
  async publicGet<T extends z.ZodType>(operation: string, path: string, query: Query, schema: T): Promise<z.infer<T>> {
    const res = expectOk(await this.http.send({ operation, url: this.url(P.publicPath, path, query) }), {
      provider: P.key,
      operation,
      describe: describeError,
    });
    return parseBody(res, schema, P.key, operation);
  }
}
