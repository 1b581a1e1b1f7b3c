import { openCallback, openStartLink } from '../helpers/consent.js';
import { type GqlResult, gql } from '../helpers/gateway.js';

/** Helpers of the DaySchedule connector tests: the consent page driven over HTTP, and the emulator's own data. */

/** The seeded organizations' API keys (contract §1): read the emulator's data independently of the gateway's grant. */
export const API_KEYS = { 1117: 'd186f193b42f6b342a1f1c39c0b420fa', 2245: '4501fbe440b1283e0003ffb04bb4c174' } as const;
export type OrgId = keyof typeof API_KEYS;

export const START_CONNECTION = `mutation($sandbox: Boolean) {
  startConnection(provider: DAYSCHEDULE, sandbox: $sandbox) { authorizeUrl connection { id status statusReason } }
}`;

export const CONNECTIONS = '{ connections { id provider status statusReason lastRefreshedAt accessTokenExpiresAt organizations { nativeId name timezone } } }';

/** Every item of an emulator list, read with the organization's API key (the 404 empty page ends it). */
export async function emulatorList<T = any>(origin: string, orgId: OrgId, path: string): Promise<T[]> {
  const out: T[] = [];
  for (let offset = 0; ;) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await fetch(`${origin}${path}${sep}limit=100&offset=${offset}&apiKey=${API_KEYS[orgId]}`);
    if (r.status === 404) return out;
    if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status} ${await r.text()}`);
    const page = (await r.json()) as { result: T[]; returned: number; total: number };
    out.push(...page.result);
    offset += page.returned;
    if (offset >= page.total) return out;
  }
}

export async function emulatorGet<T = any>(origin: string, orgId: OrgId, path: string): Promise<{ status: number; body: T }> {
  const r = await fetch(`${origin}${path}${path.includes('?') ? '&' : '?'}apiKey=${API_KEYS[orgId]}`);
  return { status: r.status, body: (await r.json()) as T };
}

/**
 * Drives the consent flow like a browser would: open `authorizeUrl` (the gateway's start link, which
 * sets the flow's cookie), load the emulator's consent page (README §4 form), submit the form with
 * `account` and `decision`, then follow the redirect to the gateway's callback with the cookie.
 * Returns the callback page's HTML and status.
 */
export async function consentOverHttp(
  authorizeUrl: string,
  account: string,
  decision: 'allow' | 'deny',
): Promise<{ status: number; html: string; location: string }> {
  const { platformUrl, cookie } = await openStartLink(authorizeUrl);
  const page = await fetch(platformUrl);
  const html = await page.text();
  const form = /<form[^>]*id="consent-form"[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form) throw new Error(`no consent form (HTTP ${page.status}): ${html.slice(0, 300)}`);
  const fields = new URLSearchParams();
  for (const m of form[2].matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields.append(unescapeHtml(m[1]), unescapeHtml(m[2]));
  fields.set('account', account);
  fields.set('decision', decision);
  const decided = await fetch(new URL(unescapeHtml(form[1]), platformUrl), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: fields,
  });
  const location = decided.headers.get('location');
  if (!location) throw new Error(`consent did not redirect (HTTP ${decided.status})`);
  const callback = await openCallback(location, cookie);
  return { status: callback.status, html: callback.html, location };
}

function unescapeHtml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] as string);
}

/** startConnection + consent for `orgId`; returns the connection id and the callback page. */
export async function connectDaySchedule(url: string, apiKey: string, orgId: OrgId, decision: 'allow' | 'deny' = 'allow') {
  const started = await gql(url, apiKey, START_CONNECTION, { sandbox: true });
  if (started.body.errors) throw new Error(JSON.stringify(started.body.errors));
  const { authorizeUrl, connection } = started.body.data.startConnection;
  const callback = await consentOverHttp(authorizeUrl, String(orgId), decision);
  return { connectionId: connection.id as string, authorizeUrl: authorizeUrl as string, callback };
}

export async function stats(origin: string): Promise<{ token: Record<string, number>; api: number; unauthorized: number; forbidden: number }> {
  return (await fetch(`${origin}/__sandbox/stats`)).json() as never;
}

/** Every booking through GraphQL, `first` at a time, following `endCursor`. */
export async function allBookings(
  url: string,
  apiKey: string,
  first: number,
  fields: string,
  filter: Record<string, unknown> = { providers: ['DAYSCHEDULE'] },
) {
  const nodes: any[] = [];
  const errors: unknown[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const r: GqlResult = await gql(
      url,
      apiKey,
      `query($first: Int, $after: String, $filter: BookingFilter) { bookings(first: $first, after: $after, filter: $filter) { edges { node { ${fields} } } pageInfo { hasNextPage endCursor } } }`,
      {
        first,
        after,
        filter,
      },
    );
    pages++;
    if (r.body.errors) errors.push(...r.body.errors);
    const conn: { edges: Array<{ node: any }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } | undefined = r.body.data?.bookings;
    if (!conn) break;
    nodes.push(...conn.edges.map((e) => e.node));
    if (!conn.pageInfo.hasNextPage) break;
    after = conn.pageInfo.endCursor;
  }
  return { nodes, errors, pages };
}
