import type { EmuRequest, EmuResponse, Route } from './types.js';
import { escapeHtml } from './util.js';

/**
 * Shared OAuth behaviour of README §4: RFC 6749 §5.2 error bodies, token answers with no-store
 * headers, and the consent page (GET shows it, POST re-validates and redirects).
 */

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

/** An RFC 6749 §5.2 error; `invalid_client` is 401 (with a Basic challenge when Basic was used). */
export function oauthError(error: string, description: string, opts: { basicRealm?: string; status?: number } = {}): EmuResponse {
  const status = opts.status ?? (error === 'invalid_client' ? 401 : 400);
  const headers: Record<string, string> = { ...NO_STORE };
  if (status === 401 && opts.basicRealm) headers['www-authenticate'] = `Basic realm="${opts.basicRealm}"`;
  return { status, headers, body: { error, error_description: description }, contentType: 'application/json; charset=utf-8' };
}

/** A 200 token answer with exactly `fields`. */
export function tokenAnswer(fields: Record<string, unknown>): EmuResponse {
  return { status: 200, headers: { ...NO_STORE }, body: fields, contentType: 'application/json; charset=utf-8' };
}

/** Reads a token-endpoint body as a flat string map, per the accepted encodings. */
export async function readTokenParams(
  req: EmuRequest,
  accepted: ReadonlyArray<'json' | 'form' | 'multipart'>,
): Promise<{ ok: true; params: Record<string, string | undefined>; raw: Record<string, unknown> } | { ok: false; response: EmuResponse }> {
  const bad = (d: string) => ({ ok: false as const, response: oauthError('invalid_request', d) });
  if (req.mediaType === 'application/json' && accepted.includes('json')) {
    const parsed = req.json();
    if (!parsed.ok || !parsed.value || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
      return bad('The request body must be a JSON object.');
    }
    const raw = parsed.value as Record<string, unknown>;
    const params: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') params[k] = v;
    return { ok: true, params, raw };
  }
  const isForm = req.mediaType === 'application/x-www-form-urlencoded' && accepted.includes('form');
  const isMultipart = req.mediaType === 'multipart/form-data' && accepted.includes('multipart');
  if (isForm || isMultipart) {
    const form = await req.form();
    const params: Record<string, string | undefined> = {};
    for (const [k, v] of form) params[k] = v;
    return { ok: true, params, raw: { ...params } };
  }
  return bad(`Unsupported content type${req.mediaType ? ` ${req.mediaType}` : ''}.`);
}

function htmlPage(status: number, title: string, body: string): EmuResponse {
  return {
    status,
    raw: `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`,
    contentType: 'text/html; charset=utf-8',
  };
}

export interface ConsentClient {
  appName: string;
  redirectUris: string[];
}

export interface ConsentOptions {
  /** Path of the authorize endpoint, e.g. `/oauth/authorize`. */
  path: string;
  /** The registered client, or null when unknown. */
  client(clientId: string): ConsentClient | null;
  /**
   * Platform-specific validation after client and redirect URI passed (README §4 step 2):
   * return `{ error, description }` to redirect with an error, or null.
   */
  validate(params: URLSearchParams): { error: string; description: string } | null;
  /** Scopes to show (may be empty). */
  scopes(params: URLSearchParams): string[];
  /** Accounts the demo user may grant. */
  accounts(): Array<{ id: string; name: string }>;
  /** Issues a code for an allowed request; returns the code value. */
  issueCode(params: URLSearchParams, accountId: string): string;
}

function redirectTo(redirectUri: string, fields: Record<string, string | null>): EmuResponse {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(fields)) if (v !== null) url.searchParams.set(k, v);
  return { status: 302, headers: { location: url.toString() } };
}

/** The GET and POST routes of a consent page per README §4. */
export function consentRoutes(opts: ConsentOptions): Route[] {
  const check = (params: URLSearchParams): EmuResponse | { client: ConsentClient; redirectUri: string } => {
    const clientId = params.get('client_id') ?? '';
    const client = clientId ? opts.client(clientId) : null;
    const redirectUri = params.get('redirect_uri');
    if (!client) return htmlPage(400, 'Invalid request', '<h1>Unknown client</h1><p>The application is not registered.</p>');
    if (!redirectUri || !client.redirectUris.includes(redirectUri)) {
      return htmlPage(400, 'Invalid request', '<h1>Invalid redirect_uri</h1><p>The redirect URI is missing or not registered.</p>');
    }
    const state = params.get('state');
    if (params.get('response_type') !== 'code') {
      return redirectTo(redirectUri, { error: 'unsupported_response_type', error_description: 'response_type must be code', state });
    }
    const problem = opts.validate(params);
    if (problem) return redirectTo(redirectUri, { error: problem.error, error_description: problem.description, state });
    return { client, redirectUri };
  };

  const show = (req: EmuRequest): EmuResponse => {
    const checked = check(req.query);
    if ('status' in checked) return checked;
    const hidden = [...req.query].map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('\n    ');
    const options = opts
      .accounts()
      .map((a) => `<option value="${escapeHtml(a.id)}">${escapeHtml(a.name)}</option>`)
      .join('');
    const scopes = opts.scopes(req.query);
    const scopeList = scopes.length ? `<ul id="scopes">${scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>` : '';
    return htmlPage(
      200,
      `Authorize ${checked.client.appName}`,
      `<h1>${escapeHtml(checked.client.appName)} wants to access your account</h1>
  ${scopeList}
  <form id="consent-form" method="POST" action="${escapeHtml(opts.path)}">
    ${hidden}
    <label for="account">Account</label>
    <select id="account" name="account">${options}</select>
    <button id="allow" type="submit" name="decision" value="allow">Allow</button>
    <button id="deny" type="submit" name="decision" value="deny">Deny</button>
  </form>`,
    );
  };

  const decide = async (req: EmuRequest): Promise<EmuResponse> => {
    if (req.mediaType !== 'application/x-www-form-urlencoded') {
      return htmlPage(400, 'Invalid request', '<h1>Invalid request</h1><p>The form must be form-encoded.</p>');
    }
    const form = await req.form();
    const params = new URLSearchParams();
    for (const [k, v] of form) if (k !== 'account' && k !== 'decision') params.append(k, v);
    const checked = check(params);
    if ('status' in checked) return checked;
    const account = form.get('account');
    if (!account || !opts.accounts().some((a) => a.id === account)) {
      return htmlPage(400, 'Invalid request', '<h1>Invalid account</h1><p>Choose one of the listed accounts.</p>');
    }
    const state = params.get('state');
    const decision = form.get('decision');
    if (decision === 'deny') return redirectTo(checked.redirectUri, { error: 'access_denied', state });
    if (decision !== 'allow') return htmlPage(400, 'Invalid request', '<h1>Invalid decision</h1>');
    return redirectTo(checked.redirectUri, { code: opts.issueCode(params, account), state });
  };

  return [
    { method: 'GET', path: opts.path, kind: 'consent', handler: show },
    { method: 'POST', path: opts.path, kind: 'consent', handler: decide },
  ];
}

/** README §4 Bearer failures: a 401 challenge header (with `invalid_token` when one was sent). */
export function bearerChallenge(tokenSent: boolean, description = 'The access token is invalid or expired'): Record<string, string> {
  return {
    'www-authenticate': tokenSent ? `Bearer error="invalid_token", error_description="${description}"` : 'Bearer',
  };
}

/** README §4 missing-scope challenge (403). */
export function scopeChallenge(scope: string): Record<string, string> {
  return { 'www-authenticate': `Bearer error="insufficient_scope", scope="${scope}"` };
}

/** The redirect URIs every authorization-code emulator registers (README §4). */
export function defaultRedirectUris(platform: string, extra: string[]): string[] {
  return [
    `http://127.0.0.1:4000/oauth/callback/${platform}`,
    `http://localhost:4000/oauth/callback/${platform}`,
    `https://gateway.example.com/oauth/callback/${platform}`,
    ...extra,
  ];
}
