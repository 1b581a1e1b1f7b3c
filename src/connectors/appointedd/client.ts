import type { z } from 'zod';
import { expectOk, type HttpClient, parseBody } from '../http.js';
import { collectPages, type PlatformPage } from '../paging.js';
import type { ConnectionTokens, TokenStrategy } from '../../tokens/token-manager.js';
import { appointeddProvider as P } from './provider.js';
import { countDocumentSchema, documentOf, errorDocumentSchema, listDocumentOf } from './schemas.js';

const MEDIA = 'application/vnd.api+json';

/** The platform's own words from a JSON:API error document. */
export function describeError(text: string): string | null {
  const parsed = errorDocumentSchema.safeParse(JSON.parse(text));
  if (!parsed.success) return null;
  return (
    parsed.data.errors
      .map((e) => e.detail ?? e.title ?? e.code)
      .filter(Boolean)
      .join('; ') || null
  );
}

/** One page of a collection (§3): `next` is the next page's `page[start]` id, `total` the platform's `meta.total`. */
export interface CollectionPage<T> extends PlatformPage<T, string> {
  total: number | null;
}

/** HTTP calls of the Appointedd JSON API v2 with the connection's token (contract §3). */
export class AppointeddClient {
  constructor(
    private readonly http: HttpClient,
    private readonly apiUrl: string,
    private readonly tokens: ConnectionTokens,
    private readonly strategy: TokenStrategy,
  ) {}

  private url(path: string, query: Record<string, string | undefined> = {}): string {
    const u = new URL(`${this.apiUrl}${P.apiPath}${path}`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, v);
    return u.toString();
  }

  /** GETs one document and parses it with `schema` (a memoized document schema, see `schemas.ts`). */
  private async getDocument<S extends z.ZodType>(operation: string, path: string, query: Record<string, string | undefined>, schema: S): Promise<z.infer<S>> {
    const url = this.url(path, query);
    const res = await this.tokens.use('default', this.strategy, async (t) =>
      expectOk(await this.http.send({ operation, url, headers: { authorization: `Bearer ${t.accessToken}`, accept: MEDIA } }), {
        provider: P.key,
        operation,
        describe: describeError,
      }),
    );
    return parseBody(res, schema, P.key, operation);
  }

  /** GETs one resource document and parses its `data` with `resource`. */
  async get<T extends z.ZodType>(operation: string, path: string, query: Record<string, string | undefined>, resource: T) {
    return this.getDocument(operation, path, query, documentOf(resource));
  }

  /** GETs an unpaged list document (`/availability/slots`) and parses each item with `resource`. */
  async getList<T extends z.ZodType>(operation: string, path: string, query: Record<string, string | undefined>, resource: T): Promise<Array<z.infer<T>>> {
    return (await this.getDocument(operation, path, query, listDocumentOf(resource))).data as Array<z.infer<T>>;
  }

  /**
   * One page of a collection: `cursor` is the `page[start]` id of the page (null = first page).
   * Returns the items, the next page's `page[start]` (null at the end) and `meta.total`, the number
   * of matches over all pages (null when the platform left it out).
   */
  async page<T extends z.ZodType>(
    operation: string,
    path: string,
    query: Record<string, string | undefined>,
    resource: T,
    cursor: string | null,
    limit: number,
  ): Promise<CollectionPage<z.infer<T>>> {
    const doc = await this.getDocument(
      operation,
      path,
      { ...query, 'page[limit]': String(limit), 'page[start]': cursor ?? undefined },
      listDocumentOf(resource),
    );
    const nextUrl = doc.links?.next;
    const start = nextUrl ? new URL(nextUrl).searchParams.get('page[start]') : null;
    // A next link without a `page[start]` (or an empty one) names no next page.
    return { items: doc.data as Array<z.infer<T>>, next: start || null, total: doc.meta?.total ?? null };
  }

  /**
   * Every item of a collection, following `links.next` to the end (`collectPages`), `P.pageLimit` at
   * a time; from the page `from` names (a `page[start]` id) when given, else from the first.
   */
  async all<T extends z.ZodType>(
    operation: string,
    path: string,
    query: Record<string, string | undefined>,
    resource: T,
    from: string | null = null,
  ): Promise<Array<z.infer<T>>> {
    return collectPages(P.key, operation, (cursor: string | null) => this.page(operation, path, query, resource, cursor ?? from, P.pageLimit));
  }

  /** How many items a collection query matches (`meta.total` of a one-item page); null when the platform does not say. */
  async count(operation: string, path: string, query: Record<string, string | undefined>): Promise<number | null> {
    const doc = await this.getDocument(operation, path, { ...query, 'page[limit]': '1' }, countDocumentSchema);
    return doc.meta?.total ?? null;
  }

  /** POSTs a JSON:API document (a write: 400/409/422 become BAD_USER_INPUT). */
  async post<T extends z.ZodType>(operation: string, path: string, body: unknown, resource: T) {
    const res = await this.tokens.use('default', this.strategy, async (t) =>
      expectOk(
        await this.http.send({
          operation,
          method: 'POST',
          url: this.url(path),
          json: body,
          contentType: MEDIA,
          headers: { authorization: `Bearer ${t.accessToken}`, accept: MEDIA },
        }),
        { provider: P.key, operation, write: true, describe: describeError },
      ),
    );
    return parseBody(res, documentOf(resource), P.key, operation);
  }
}
