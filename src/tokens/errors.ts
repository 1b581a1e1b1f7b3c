/**
 * The two things a platform can say about a token, as the token manager understands them. Connectors
 * throw them; the token manager acts on them (renew once; mark the connection NEEDS_REAUTH).
 * `provider` is the platform's key (`APPOINTEDD`), used in messages only.
 */

/**
 * The platform refused the access token (HTTP 401). Internal: the token manager renews once and
 * retries; it never reaches a client as such.
 */
export class AccessTokenRejectedError extends Error {
  constructor(
    readonly provider: string,
    readonly operation: string,
  ) {
    super(`${provider} rejected the access token during ${operation}`);
    this.name = 'AccessTokenRejectedError';
  }
}

/**
 * The platform refused the grant itself (`invalid_grant`, `invalid_client` on a refresh, revoked app):
 * the token set is unusable. The connection moves to NEEDS_REAUTH with `reason` as its statusReason.
 */
export class GrantRevokedError extends Error {
  constructor(
    readonly provider: string,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'GrantRevokedError';
  }
}

/**
 * No renewal was tried: another instance holds the token's lock too long, or a renewal failed moments
 * ago and the cooldown is not over. Transient: the connector layer reports it as PROVIDER_UNAVAILABLE
 * with `retryAfterSeconds`.
 */
export class TokenRenewalPausedError extends Error {
  constructor(
    readonly provider: string,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'TokenRenewalPausedError';
  }
}
