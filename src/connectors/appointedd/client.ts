import { z } from 'zod';
import { expectOk, type HttpClient, parseBody } from '../http.js';
import { collectPages } from '../paging.js';
import type { ConnectionTokens, TokenStrategy } from '../../tokens/token-manager.js';
import { appointeddProvider as P } from './provider.js';
import { documentOf, errorDocumentSchema } from './schemas.js';

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

  /** GETs one document and parses its `data` with `resource`. */
  async get<T extends z.ZodType>(operation: string, path: string, query: Record<string, string | undefined>, resource: T) {
    return this.getUrl(operation, this.url(path, query), resource);
  }

  private async getUrl<T extends z.ZodType>(operation: string, url: string, resource: T) {
    const res = await this.tokens.use('default', this.strategy, async (t) =>
      expectOk(await this.http.send({ operation, url, headers: { authorization: `Bearer ${t.accessToken}`, accept: MEDIA } }), {
        provider: P.key,
        operation,
        describe: describeError,
      }),
    );
    return parseBody(res, documentOf(resource), P.key, operation);
  }

  /**
   * One page of a collection: `cursor` is the `page[start]` id of the page (null = first page).
   * Returns the items and the next page's `page[start]` (null at the end).
   */
  async page<T extends z.ZodType>(
    operation: string,
    path: string,
    query: Record<string, string | undefined>,
    resource: T,
    cursor: string | null,
    limit: number,
  ): Promise<{ items: Array<z.infer<T>>; next: string | null }> {
    const doc = await this.get(operation, path, { ...query, 'page[limit]': String(limit), 'page[start]': cursor ?? undefined }, z.array(resource));
    const nextUrl = doc.links?.next;
    const start = nextUrl ? new URL(nextUrl).searchParams.get('page[start]') : null;
    // A next link without a `page[start]` (or an empty one) names no next page.
    return { items: doc.data as Array<z.infer<T>>, next: start || null };
  }

  /** Every item of a collection, following `links.next` to the end (`collectPages`). */
  async all<T extends z.ZodType>(operation: string, path: string, query: Record<string, string | undefined>, resource: T): Promise<Array<z.infer<T>>> {
    return collectPages(P.key, operation, (cursor: string | null) => this.page(operation, path, query, resource, cursor, P.pageLimit));
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
