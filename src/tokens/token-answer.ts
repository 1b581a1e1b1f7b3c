/**
 * What a token endpoint's answer means, decided once for every platform (the "process the response"
 * half of oauth4webapi's request/process pairs): pure, no I/O, tested on its own.
 *
 * - `issued`: HTTP 200; parse the body.
 * - `grant-refused`: `invalid_grant` (RFC 6749 §5.2): the code, refresh token or grant is dead.
 * - `client-refused`: `invalid_client`, `unauthorized_client` or any HTTP 401: the client (app, key) is refused.
 * - `transient`: 5xx or 429: try again later; nothing is wrong with the grant.
 * - `refused`: any other answer (`invalid_request`, `unsupported_grant_type`, a 3xx/4xx without an
 *   OAuth error): the request itself is wrong, a bug or a platform change.
 *
 * What a refusal means for the connection (NEEDS_REAUTH, bad input while connecting, a gateway
 * configuration error) is each platform's call: the connector's `auth.ts` decides from the kind.
 */
export type TokenAnswer =
  | { kind: 'issued'; status: number }
  | { kind: 'grant-refused' | 'client-refused' | 'refused'; status: number; error: string | null; description: string | null }
  | { kind: 'transient'; status: number; error: string | null; description: string | null };

export function classifyTokenAnswer(res: { status: number; text: string }): TokenAnswer {
  if (res.status === 200) return { kind: 'issued', status: 200 };
  const { error, description } = oauthError(res.text);
  const status = res.status;
  if (status >= 500 || status === 429) return { kind: 'transient', status, error, description };
  if (error === 'invalid_grant') return { kind: 'grant-refused', status, error, description };
  if (error === 'invalid_client' || error === 'unauthorized_client' || status === 401) return { kind: 'client-refused', status, error, description };
  return { kind: 'refused', status, error, description };
}

/** `invalid_grant: the code has expired` or `HTTP 503`: the answer in a few words, for messages. */
export function describeTokenAnswer(answer: TokenAnswer): string {
  if (answer.kind === 'issued') return 'HTTP 200';
  return `${answer.error ?? `HTTP ${answer.status}`}${answer.description ? `: ${answer.description.slice(0, 200)}` : ''}`;
}

/**
 * The RFC 6749 §5.2 `error` and `error_description` of a token-endpoint answer (nulls when the body
 * is not such a document).
 */
export function oauthError(text: string): { error: string | null; description: string | null } {
  try {
    const v = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    return {
      error: typeof v?.error === 'string' ? v.error : null,
      description: typeof v?.error_description === 'string' ? v.error_description : null,
    };
  } catch {
    return { error: null, description: null };
  }
}
