/** Counters of `GET /__sandbox/stats` (README §7). */
export class Stats {
  token: Record<string, number> = {};
  revoke = 0;
  api = 0;
  unauthorized = 0;
  forbidden = 0;
  rateLimited = 0;
  webhooksDelivered = 0;

  constructor(private readonly grantTypes: string[]) {
    this.reset();
  }

  reset(): void {
    this.token = Object.fromEntries(this.grantTypes.map((g) => [g, 0]));
    this.revoke = 0;
    this.api = 0;
    this.unauthorized = 0;
    this.forbidden = 0;
    this.rateLimited = 0;
    this.webhooksDelivered = 0;
  }

  countGrant(grantType: string | null): void {
    const key = grantType || 'none';
    this.token[key] = (this.token[key] ?? 0) + 1;
  }

  /** Counts 401, 403 and 429 answers on platform routes. */
  countStatus(status: number): void {
    if (status === 401) this.unauthorized++;
    else if (status === 403) this.forbidden++;
    else if (status === 429) this.rateLimited++;
  }

  toJSON() {
    return {
      token: { ...this.token },
      revoke: this.revoke,
      api: this.api,
      unauthorized: this.unauthorized,
      forbidden: this.forbidden,
      rateLimited: this.rateLimited,
      webhooksDelivered: this.webhooksDelivered,
    };
  }
}
