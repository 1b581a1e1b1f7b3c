import type { z } from 'zod';
import { ProviderError } from '../errors.js';
import { expectOk, type HttpClient, type HttpResponse, parseBody } from '../http.js';
import { collectPages } from '../paging.js';
import type { ConnectionTokens, TokenStrategy } from '../../tokens/token-manager.js';
import { yappointmentProvider as P } from './provider.js';
import { envelopeOf, errorEnvelopeSchema, listEnvelopeOf } from './schemas.js';

/** The platform's own words from a v1 error envelope (§5): `CODE: message`. */
export function describeError(text: string): string | null {
  const parsed = errorEnvelopeSchema.safeParse(JSON.parse(text));
  if (!parsed.success) return null;
  const { code, message } = parsed.data.error;
  return message ? `${code}: ${message}` : code;
}

/**
 * The scope a 403 names in its RFC 6750 §3 challenge
 * (`WWW-Authenticate: Bearer error="insufficient_scope", scope="customers:write"`), or null.
 */
export function missingScope(headers: Headers): string | null {
  const challenge = headers.get('www-authenticate') ?? '';
  if (!/error="insufficient_scope"/.test(challenge)) return null;
  return /scope="([^"]*)"/.exec(challenge)?.[1] ?? null;
}

/**
 * Classifies a non-2xx answer: a 403 for a scope the grant lacks becomes a FORBIDDEN that names the
 * scope (a person must connect again and allow it); everything else goes through `expectOk`.
 */
export function checkAnswer(res: HttpResponse, operation: string, write: boolean): HttpResponse {
  if (res.status === 403) {
    const scope = missingScope(res.headers);
    if (scope) {
      throw new ProviderError(
        P.key,
        operation,
        'FORBIDDEN',
        `yAppointment did not grant ${scope}, which ${operation} needs: connect yAppointment again and allow it`,
        { status: 403 },
      );
    }
  }
  return expectOk(res, { provider: P.key, operation, write, describe: describeError });
}

export interface ListPage<T> {
  items: T[];
  hasMore: boolean;
}

/** HTTP calls of the yAppointment v1 API with the connection's token (contract §3). */
export class YAppointmentClient {
  constructor(
    private readonly http: HttpClient,
    private readonly apiUrl: string,
    private readonly tokens: ConnectionTokens,
    private readonly strategy: TokenStrategy,
  ) {}

  private async send(operation: string, method: 'GET' | 'POST', path: string, body: unknown, write: boolean): Promise<HttpResponse> {
    const url = `${this.apiUrl}${P.apiPath}${path}`;
    return this.tokens.use('default', this.strategy, async (t) =>
      checkAnswer(
        await this.http.send({
          operation,
          method,
          url,
          json: body,
          headers: { authorization: `Bearer ${t.accessToken}` },
          // Lists are POSTs that change nothing: safe to retry.
          idempotent: !write,
        }),
        operation,
        write,
      ),
    );
  }

  /** GETs one resource and parses the envelope's `data` with `schema`. */
  async get<T extends z.ZodType>(operation: string, path: string, schema: T): Promise<z.infer<T>> {
    const res = await this.send(operation, 'GET', path, undefined, false);
    return parseBody(res, envelopeOf(schema), P.key, operation).data as z.infer<T>;
  }

  /** A write (create, cancel): 400/409/422 become BAD_USER_INPUT with the platform's reason. */
  async write<T extends z.ZodType>(operation: string, path: string, body: unknown, schema: T): Promise<z.infer<T>> {
    const res = await this.send(operation, 'POST', path, body, true);
    return parseBody(res, envelopeOf(schema), P.key, operation).data as z.infer<T>;
  }

  /** A read that is a POST with a JSON body and answers a list without paging (`/slots`); each item parsed with `item`. */
  async queryList<T extends z.ZodType>(operation: string, path: string, body: unknown, item: T): Promise<Array<z.infer<T>>> {
    const res = await this.send(operation, 'POST', path, body, false);
    return parseBody(res, listEnvelopeOf(item), P.key, operation).data as Array<z.infer<T>>;
  }

  /** One page (1-based) of a list POST with a `filter` body (§3 "Lists"). */
  async page<T extends z.ZodType>(
    operation: string,
    path: string,
    filter: Record<string, unknown>,
    page: number,
    limit: number,
    item: T,
  ): Promise<ListPage<z.infer<T>>> {
    const res = await this.send(operation, 'POST', path, { filter, page, limit: Math.min(limit, P.pageLimit) }, false);
    const doc = parseBody(res, listEnvelopeOf(item), P.key, operation);
    return { items: doc.data as Array<z.infer<T>>, hasMore: doc.meta?.pagination?.hasMore ?? false };
  }

  /** Every item of a list, page by page to the end (`collectPages`): until `hasMore` is false or a page is empty. */
  async all<T extends z.ZodType>(operation: string, path: string, filter: Record<string, unknown>, item: T): Promise<Array<z.infer<T>>> {
    return collectPages(P.key, operation, async (cursor: number | null) => {
      const page = cursor ?? 1;
      const p = await this.page(operation, path, filter, page, P.pageLimit, item);
      return { items: p.items, next: p.hasMore && p.items.length > 0 ? page + 1 : null };
    });
  }
}
