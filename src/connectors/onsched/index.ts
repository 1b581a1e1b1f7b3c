import { ProviderError } from '../errors.js';
import { definePlatform } from '../platform.js';
import type { Connector, ConnectorContext, ConnectorModule } from '../types.js';
import { mapLimit } from '../util.js';
import { type OnSchedCredentials, onschedCredentialsSchema, refreshTokenStrategy } from './auth.js';
import { OnSchedClient } from './client.js';
import { onschedProvider as P } from './provider.js';
import { onschedQueries, type OnSchedSettings } from './queries.js';
import { onschedWebhooks } from './webhooks.js';
import { companySchema } from './schemas.js';

type Ctx = ConnectorContext<OnSchedCredentials, OnSchedSettings>;

/** The token strategy and the HTTP client of one connection. */
function build(ctx: Ctx) {
  // One access token serves every company; the token request needs some company key of the account.
  const strategy = refreshTokenStrategy(ctx.http, ctx.endpoints.authUrl, ctx.credentials, ctx.credentials.companyApiKeys[0]);
  const client = new OnSchedClient(ctx.http, ctx.endpoints.apiUrl, ctx.tokens, strategy);
  return { strategy, client };
}

/** OnSched connector (contract: docs/platforms/onsched.md). */
const module: ConnectorModule<OnSchedCredentials, OnSchedSettings> = {
  parseCredentials(input) {
    return onschedCredentialsSchema.parse(input);
  },

  /**
   * Checks the refresh token with a real token request (which rotates it: the successor is stored
   * with the tokens), then asks `GET /setup/v1/companies` with each key for its company.
   */
  async connect(ctx) {
    const { strategy, client } = build(ctx);
    await ctx.tokens.get(P.tokenName, strategy);
    const keys = ctx.credentials.companyApiKeys;
    const companies = await mapLimit(
      keys.map((apiKey, keyIndex) => ({ apiKey, keyIndex })),
      P.concurrency,
      async ({ apiKey, keyIndex }) => {
        const label = `company API key #${keyIndex + 1}`;
        try {
          const company = await client.get({ id: '', label, apiKey }, 'connect', P.companyPath, {}, companySchema);
          return { id: company.id, name: company.name, keyIndex };
        } catch (err) {
          if (err instanceof ProviderError && err.code === 'FORBIDDEN') {
            const why =
              err.status === 403 ? 'its company is not part of the account of the refresh token (HTTP 403)' : 'OnSched does not know this key (HTTP 401)';
            throw new ProviderError(P.key, 'connect', 'BAD_USER_INPUT', `OnSched rejected ${label}: ${why}`);
          }
          throw err;
        }
      },
    );
    const unique = companies.filter((c, i) => companies.findIndex((o) => o.id === c.id) === i);
    const ids = unique.map((c) => c.id).sort();
    return {
      settings: { companies: unique },
      label: unique.map((c) => c.name).join(', ') || 'OnSched',
      accountId: `companies:${ids.join(',')}`,
    };
  },

  create(ctx): Connector {
    const { client } = build(ctx);
    const queries = onschedQueries(ctx, client);
    return { webhooks: onschedWebhooks(ctx, client, queries), ...queries };
  },
};

/** OnSched as the gateway sees it (docs/platforms/onsched.md). */
export const onsched = definePlatform(P, {
  module,
  demoCredentials: (c) => ({ refreshToken: c.refresh_token, companyApiKeys: c.companies.map((k: { api_key: string }) => k.api_key) }),
});
