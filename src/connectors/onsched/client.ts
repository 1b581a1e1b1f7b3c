import type { z } from 'zod';
import { ProviderError } from '../errors.js';
import type { ConnectionTokens, TokenStrategy } from '../../tokens/token-manager.js';
import { expectOk, type HttpClient, type HttpResponse, parseBody } from '../http.js';
import { collectPages } from '../paging.js';
import { onschedProvider as P } from './provider.js';
import { errorEnvelopeSchema, listOf } from './schemas.js';

/** One company of the connection and its API key: every call is made for exactly one of them. */
export interface CompanyScope {
  id: string;
  /** Named in error messages (`company API key #2`). */
  label: string;
  apiKey: string;
}

/** The platform's own words from a V3 error envelope (§5). */
export function describeError(text: string): string | null {
  const parsed = errorEnvelopeSchema.safeParse(JSON.parse(text));
  return parsed.success ? (parsed.data.message ?? parsed.data.code ?? null) : null;
}

/**
 * Whether a 401 looks like a refusal of the company key rather than of the access token (§2.3, §5):
 * the emulator sends a `WWW-Authenticate: Bearer` challenge for a bad, expired or missing JWT and none
 * for a missing or unknown `x-api-key` — but that split is Assumed, so it never decides alone: the
 * client renews once on any 401 (`OnSchedClient.call`) and only a key 401 that survives a fresh token
 * names the key.
 */
export function isKeyRejection(res: HttpResponse): boolean {
  return res.status === 401 && !/^\s*bearer\b/i.test(res.headers.get('www-authenticate') ?? '');
}

type Query = Record<string, string | number | undefined>;

/**
 * HTTP calls of OnSched V3 (V1 consumer/setup paths) with the connection's one access token and the
 * API key of the company each call is for (contract §2.3).
 */
export class OnSchedClient {
  constructor(
    private readonly http: HttpClient,
    private readonly apiUrl: string,
    private readonly tokens: ConnectionTokens,
    private readonly strategy: TokenStrategy,
  ) {}

  /**
   * Company keys refused with a token that was itself fresh from a renewal, with that token: until the
   * token changes, their calls are FORBIDDEN at once instead of renewing again (one renewal per token,
   * not per call).
   */
  private readonly refusedKeys = new Map<string, string>();

  private url(path: string, query: Query = {}): string {
    const u = new URL(`${this.apiUrl}${path}`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  /**
   * One call for `company`: Bearer + its `x-api-key`. Any 401 renews the access token once (the
   * platform's documents do not promise the challenge that tells a refused key from an expired JWT,
   * §2.3) and the call runs again; a key 401 (`isKeyRejection`) with the renewed token becomes
   * FORBIDDEN naming the key, remembered for that token. Other statuses are classified by `expectOk`
   * (`write`: 400/409/422 → BAD_USER_INPUT with the platform's message).
   */
  async call(
    company: CompanyScope,
    operation: string,
    req: {
      method?: 'GET' | 'POST' | 'PUT';
      path: string;
      query?: Query;
      json?: unknown;
      write?: boolean;
    },
  ): Promise<HttpResponse> {
    let attempt = 0;
    return this.tokens.use(P.tokenName, this.strategy, async (t) => {
      attempt += 1;
      const res = await this.http.send({
        operation,
        method: req.method ?? 'GET',
        url: this.url(req.path, req.query),
        json: req.json,
        headers: {
          authorization: `Bearer ${t.accessToken}`,
          [P.companyKeyHeader]: company.apiKey,
        },
      });
      const knownRefused = this.refusedKeys.get(company.apiKey) === t.accessToken;
      if (isKeyRejection(res) && (attempt > 1 || knownRefused)) {
        if (this.refusedKeys.size >= 1_000) this.refusedKeys.clear();
        this.refusedKeys.set(company.apiKey, t.accessToken);
        const detail = safeDescribe(res.text);
        throw new ProviderError(P.key, operation, 'FORBIDDEN', `OnSched refused the API key of ${company.label}${detail ? `: ${detail}` : ''}`, {
          status: 401,
        });
      }
      return expectOk(res, {
        provider: P.key,
        operation,
        write: req.write,
        describe: describeError,
      });
    });
  }

  /** GETs one object and parses it with `schema`. */
  async get<T extends z.ZodType>(company: CompanyScope, operation: string, path: string, query: Query, schema: T): Promise<z.infer<T>> {
    return parseBody(await this.call(company, operation, { path, query }), schema, P.key, operation);
  }

  /** A write (POST/PUT with a JSON body or none); 400/409/422 → BAD_USER_INPUT. */
  async write<T extends z.ZodType>(
    company: CompanyScope,
    operation: string,
    req: {
      method: 'POST' | 'PUT';
      path: string;
      query?: Query;
      json?: unknown;
    },
    schema: T,
  ): Promise<z.infer<T>> {
    return parseBody(await this.call(company, operation, { ...req, write: true }), schema, P.key, operation);
  }

  /** One `*ListViewModel` page at `offset`; `next` is the next page's offset, null at the end. */
  async page<T extends z.ZodType>(
    company: CompanyScope,
    operation: string,
    path: string,
    query: Query,
    item: T,
    offset: number,
    limit: number,
  ): Promise<{ items: Array<z.infer<T>>; next: number | null }> {
    const size = Math.max(1, Math.min(limit, P.pageLimit));
    const page = await this.get(company, operation, path, { ...query, offset, limit: size }, listOf(item));
    const items = page.data as Array<z.infer<T>>;
    const more = page.hasMore ?? (typeof page.total === 'number' ? offset + items.length < page.total : items.length === size);
    return {
      items,
      next: more && items.length > 0 ? offset + items.length : null,
    };
  }

  /**
   * Every item of a list, page by page: the first `firstLimit` items (default and at most
   * `P.pageLimit`), then `P.pageLimit` at a time. `enough` is asked after each page but the last with
   * everything so far; returning true stops early.
   */
  async all<T extends z.ZodType>(
    company: CompanyScope,
    operation: string,
    path: string,
    query: Query,
    item: T,
    enough?: (items: Array<z.infer<T>>) => boolean,
    firstLimit: number = P.pageLimit,
  ): Promise<Array<z.infer<T>>> {
    const seen: Array<z.infer<T>> = [];
    return collectPages(P.key, operation, async (offset: number | null) => {
      const page = await this.page(company, operation, path, query, item, offset ?? 0, offset === null ? firstLimit : P.pageLimit);
      seen.push(...page.items);
      return { items: page.items, next: page.next !== null && enough?.(seen) ? null : page.next };
    });
  }
}

function safeDescribe(text: string): string | null {
  try {
    return describeError(text);
  } catch {
    return null;
  }
}
