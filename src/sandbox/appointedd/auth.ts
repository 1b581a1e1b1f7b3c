import { bearerChallenge, oauthError, tokenAnswer } from '../framework/oauth.js';
import type { EmulatorContext, EmuRequest, EmuResponse } from '../framework/types.js';
import { randomBase64Url, safeEqual } from '../framework/util.js';
import { ApiError } from './jsonapi.js';
import { OBJECT_ID, type OAuthClient } from './model.js';
import { type AppointeddState, CLIENTS } from './state.js';

/**
 * Contract §2: `POST /v2/oauth/tokens`, client credentials only; JSON or form body; client auth in
 * the body or by HTTP Basic (never both); `expires_in` 300–315 360 000 s (default 3600); answer
 * exactly `{access_token, token_type, expires_in}`; opaque 43-character base64url tokens.
 */

const REALM = 'appointedd';
export const DEFAULT_EXPIRES_IN = 3_600;
export const MIN_EXPIRES_IN = 300;
export const MAX_EXPIRES_IN = 315_360_000;

type TokenBody = { kind: 'json'; fields: Record<string, unknown> } | { kind: 'form'; fields: Record<string, unknown> };

/** Reads the token request body; null when the content type is not accepted or the body is malformed. */
async function readBody(req: EmuRequest): Promise<TokenBody | null> {
  if (req.mediaType === 'application/json') {
    const parsed = req.json();
    if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) return null;
    return { kind: 'json', fields: parsed.value as Record<string, unknown> };
  }
  if (req.mediaType === 'application/x-www-form-urlencoded') {
    const form = await req.form();
    const fields: Record<string, unknown> = {};
    for (const [k, v] of form) {
      // A repeated parameter is malformed (RFC 6749 §3.2: parameters MUST NOT be included more than once).
      if (k in fields) return null;
      fields[k] = v;
    }
    return { kind: 'form', fields };
  }
  return null;
}

/** `expires_in` per §2: an integer in JSON, a decimal string in a form; null when invalid. */
export function parseExpiresIn(kind: 'json' | 'form', value: unknown): number | null {
  if (value === undefined) return DEFAULT_EXPIRES_IN;
  let n: number;
  if (kind === 'json') {
    if (typeof value !== 'number' || !Number.isInteger(value)) return null;
    n = value;
  } else {
    if (typeof value !== 'string' || !/^\d{1,12}$/.test(value)) return null;
    n = Number(value);
  }
  return n >= MIN_EXPIRES_IN && n <= MAX_EXPIRES_IN ? n : null;
}

function findClient(clientId: string, secret: string): OAuthClient | null {
  let found: OAuthClient | null = null;
  for (const c of CLIENTS) if (safeEqual(c.clientId, clientId) && safeEqual(c.clientSecret, secret)) found = c;
  return found;
}

/** The token endpoint handler. Checks in README §3 order: body (400) → client (401) → grant (400). */
export function tokenHandler(ctx: EmulatorContext, state: AppointeddState) {
  return async (req: EmuRequest): Promise<EmuResponse> => {
    const body = await readBody(req);
    if (!body) return oauthError('invalid_request', 'The body must be a JSON object or a form (application/x-www-form-urlencoded).');
    const f = body.fields;
    const header = req.headers.authorization ?? '';
    const usedBasic = /^basic(\s|$)/i.test(header);
    if (usedBasic && (f.client_id !== undefined || f.client_secret !== undefined)) {
      return oauthError('invalid_request', 'Send the client credentials either in the body or in the Authorization header, not both.');
    }
    for (const name of ['grant_type', 'client_id', 'client_secret'] as const) {
      if (f[name] !== undefined && typeof f[name] !== 'string') return oauthError('invalid_request', `${name} must be a string.`);
    }
    let credentials: { id: string; secret: string } | null = null;
    if (usedBasic) {
      let basic: { username: string; password: string } | null = null;
      try {
        basic = req.basic();
      } catch {
        basic = null;
      }
      if (basic) credentials = { id: basic.username, secret: basic.password };
    } else if (typeof f.client_id === 'string' && typeof f.client_secret === 'string') {
      credentials = { id: f.client_id, secret: f.client_secret };
    }
    const client = credentials ? findClient(credentials.id, credentials.secret) : null;
    if (!client) {
      return oauthError('invalid_client', credentials ? 'Client authentication failed.' : 'No client credentials were sent.', {
        basicRealm: usedBasic ? REALM : undefined,
      });
    }
    if (f.grant_type === undefined || f.grant_type === '') return oauthError('invalid_request', 'grant_type is required.');
    if (f.grant_type !== 'client_credentials') return oauthError('unsupported_grant_type', 'Only client_credentials is supported.');
    const expiresIn = parseExpiresIn(body.kind, f.expires_in);
    if (expiresIn === null) {
      return oauthError('invalid_request', `expires_in must be a whole number of seconds from ${MIN_EXPIRES_IN} to ${MAX_EXPIRES_IN}.`);
    }
    const accessToken = randomBase64Url(43);
    state.tokens.set(accessToken, { clientId: client.clientId, expiresAt: ctx.clock.now() + expiresIn * 1000 });
    return tokenAnswer({ access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn });
  };
}

/** What an authenticated API call may see (§2: the client's account permission). */
export interface Caller {
  client: OAuthClient;
  accountIds: readonly string[];
  canSee(accountId: string): boolean;
}

/**
 * Authenticates a bearer token (RFC 6750): none → 401 `WWW-Authenticate: Bearer`; unknown, expired
 * or revoked → 401 with `error="invalid_token"`. Throws `ApiError`.
 */
export function authenticate(ctx: EmulatorContext, state: AppointeddState, req: EmuRequest): Caller {
  const token = req.bearer();
  if (!token) throw new ApiError(401, 'An access token is required.', undefined, bearerChallenge(false));
  const record = state.tokens.get(token);
  if (!record || record.expiresAt <= ctx.clock.now()) {
    if (record) state.tokens.delete(token);
    throw new ApiError(401, 'The access token is invalid or expired.', undefined, bearerChallenge(true));
  }
  const client = CLIENTS.find((c) => c.clientId === record.clientId) as OAuthClient;
  return { client, accountIds: client.accountIds, canSee: (id) => client.accountIds.includes(id) };
}

/** §2: a named account outside the client's permission → 403. */
export function requireAccount(caller: Caller, accountId: string, source: { pointer?: string; parameter?: string }): void {
  if (!caller.canSee(accountId)) {
    throw new ApiError(403, `The client has no access to account ${accountId}.`, source);
  }
}

/**
 * `filter[account_id]` (comma-separated; contract §3 "Account scope"): the accounts a collection
 * covers. Default: every account the client may see. A well-formed id outside the permission → 403
 * (checked before format, README §3 order); a malformed one → 400.
 */
export function accountFilter(caller: Caller, query: URLSearchParams): readonly string[] {
  const name = 'filter[account_id]';
  const raw = query.getAll(name);
  if (raw.length === 0) return caller.accountIds;
  const items = raw
    .join(',')
    .split(',')
    .map((s) => s.trim());
  for (const id of items) if (OBJECT_ID.test(id)) requireAccount(caller, id, { parameter: name });
  if (raw.length > 1) throw new ApiError(400, `${name} must be given once.`, { parameter: name });
  if (items.some((id) => !OBJECT_ID.test(id))) {
    throw new ApiError(400, `${name} must be a comma-separated list of 24-character hexadecimal ids.`, { parameter: name });
  }
  return [...new Set(items)];
}
