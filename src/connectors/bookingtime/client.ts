import type { ConnectionTokens } from '../../tokens/token-manager.js';
import { expectOk, type HttpClient, parseBody } from '../http.js';
import { collectPages } from '../paging.js';
import { type BookingtimeAuth, organizationTokenName } from './auth.js';
import { bookingtimeProvider as P } from './provider.js';
import { type Answer, type ContentOf, errorEnvelopeSchema, type PageAnswer } from './schemas.js';

const JSON_MEDIA = 'application/json; charset=utf-8';

/** The platform's own words from an error envelope: `parameter: text` per message (§5). */
export function describeError(text: string): string | null {
  const parsed = errorEnvelopeSchema.safeParse(JSON.parse(text));
  if (!parsed.success) return null;
  return (
    parsed.data.messageList
      .map((m) => (m.parameter ? `${m.parameter}: ${m.text ?? ''}`.trim() : (m.text ?? '')))
      .filter(Boolean)
      .join('; ') || null
  );
}

export interface Call {
  /** Path below `/app/v3/{locale}/organization/{id}` (organization routes) or `/app/v3/{locale}` (app routes). */
  path: string;
  method?: 'GET' | 'POST' | 'PUT';
  query?: Record<string, string | undefined>;
  /** A JSON body (writes). */
  json?: unknown;
  /** A write: 400/409/422 become BAD_USER_INPUT with the platform's reason. */
  write?: boolean;
}

/**
 * HTTP calls of the bookingtime App API v3 (contract §3). Organization routes always go out with
 * the access token bound to the organization named in the same URL, so a token never reaches
 * another organization; app-level routes use the organization-less token.
 */
export class BookingtimeClient {
  constructor(
    private readonly http: HttpClient,
    private readonly apiUrl: string,
    private readonly tokens: ConnectionTokens,
    private readonly auth: BookingtimeAuth,
  ) {}

  private url(path: string, query: Record<string, string | undefined> = {}): string {
    const u = new URL(`${this.apiUrl}${P.apiPath}/${P.locale}${path}`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, v);
    return u.toString();
  }

  /**
   * Calls `/organization/{organizationId}{call.path}` with that organization's token; parses the
   * response with `answer` (one of `answers`, built once) and returns its `content`.
   */
  async organization<A extends Answer>(organizationId: string, operation: string, call: Call, answer: A): Promise<ContentOf<A>> {
    const url = this.url(`/organization/${encodeURIComponent(organizationId)}${call.path}`, call.query);
    return this.send(organizationTokenName(organizationId), this.auth.organization(organizationId), operation, url, call, answer);
  }

  /**
   * Every record of an organization's `PAGINATION_LIST` route (§3), page 1 onwards until `pageTotal`
   * or an empty page; `path(page)` names the route of one page, `answer` parses one page.
   */
  async all<R>(organizationId: string, operation: string, path: (page: number) => string, answer: PageAnswer<R>): Promise<R[]> {
    return collectPages(P.key, operation, async (page: number | null) => {
      const current = page ?? 1;
      const list = await this.organization(organizationId, operation, { path: path(current) }, answer);
      const items = list.recordList;
      return { items, next: current >= list.pageTotal || items.length === 0 ? null : current + 1 };
    });
  }

  /** Calls an app-level route (`/app/{appId}/…`) with the organization-less token; returns `content` of `answer`. */
  async app<A extends Answer>(operation: string, call: Call, answer: A): Promise<ContentOf<A>> {
    return this.send(P.tokenNames.app, this.auth.app, operation, this.url(call.path, call.query), call, answer);
  }

  private async send<A extends Answer>(
    tokenName: string,
    strategy: BookingtimeAuth['app'],
    operation: string,
    url: string,
    call: Call,
    answer: A,
  ): Promise<ContentOf<A>> {
    const res = await this.tokens.use(tokenName, strategy, async (t) =>
      expectOk(
        await this.http.send({
          operation,
          method: call.method ?? 'GET',
          url,
          json: call.json,
          contentType: call.json === undefined ? undefined : JSON_MEDIA,
          headers: { authorization: `Bearer ${t.accessToken}` },
        }),
        { provider: P.key, operation, write: call.write, describe: describeError },
      ),
    );
    return parseBody(res, answer, P.key, operation).content;
  }
}
