/** HTTP helpers shared by the bookingtime emulator tests (talks to the emulator over real HTTP only). */

export const CLIENT_ID = '70Wx55DVqBjCtcjKPhV4ZMCuXBW7b8Ib';
export const CLIENT_SECRET = 'ud9fv4OxmlvMwTi0JezZSQD2YazBXKIqSkdtdWTC';
export const ORG_A = 'f6ywK5E9U5ozmomLNOsqwxQdbINSl8NL';
export const ORG_B = 'f61KUMNaksEnvT94j97KYf98IEwM69MU';
export const ORG_C = 'f6mszSXxmhQYQti8tfMkeI8X4FCLf99C';
export const REDIRECT = 'http://127.0.0.1:4000/oauth/callback/bookingtime';

export interface Envelope<T = any> {
  messageList: Array<{ class: string; type: string; parameter: string | null; text: string }>;
  content: T;
}

export function bt(baseUrl: string) {
  const token = (fields: Record<string, string>, init: RequestInit = {}) =>
    fetch(`${baseUrl}/oauth/token`, { method: 'POST', body: new URLSearchParams(fields), ...init });

  const control = async (path: string, body?: unknown, method = 'POST') => {
    const r = await fetch(`${baseUrl}/__sandbox/${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as any };
  };

  const refreshToken = async (): Promise<string> => {
    const r = await token({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    return ((await r.json()) as { refresh_token: string }).refresh_token;
  };

  const accessToken = async (org: string | null, refresh?: string): Promise<string> => {
    const fields: Record<string, string> = { grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: refresh ?? (await refreshToken()) };
    if (org) fields.organization_id = org;
    const r = await token(fields);
    const body = (await r.json()) as { access_token: string };
    if (r.status !== 200) throw new Error(`token: ${r.status} ${JSON.stringify(body)}`);
    return body.access_token;
  };

  /** An App API call under `/app/v3/{locale}`; `body` is sent as JSON. */
  const api = async <T = any>(
    method: string,
    path: string,
    opts: { token?: string; body?: unknown; locale?: string; headers?: Record<string, string>; raw?: string } = {},
  ): Promise<{ status: number; headers: Headers; body: Envelope<T> }> => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let payload: string | undefined = opts.raw;
    if (opts.body !== undefined) {
      payload = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json; charset=utf-8';
    }
    const r = await fetch(`${baseUrl}/app/v3/${opts.locale ?? 'en'}${path}`, { method, headers, body: payload });
    const text = await r.text();
    return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : undefined };
  };

  return { token, control, refreshToken, accessToken, api };
}

/** Decodes a JWT part (no verification). */
export function jwtPart(token: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index], 'base64url').toString('utf8'));
}

/** Today's UTC date as `YYYY-MM-DD`. */
export const today = () => new Date().toISOString().slice(0, 10);
