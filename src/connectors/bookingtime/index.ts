import { ProviderError } from '../errors.js';
import { definePlatform } from '../platform.js';
import type { Connector, ConnectorContext, ConnectorModule } from '../types.js';
import { appIdOf, BookingtimeAuth, type BookingtimeCredentials, bookingtimeCredentialsSchema } from './auth.js';
import { BookingtimeClient } from './client.js';
import { bookingtimeProvider as P } from './provider.js';
import { bookingtimeQueries, type BookingtimeSettings, organizationListing } from './queries.js';
import { bookingtimeWebhooks } from './webhooks.js';

type Ctx = ConnectorContext<BookingtimeCredentials, BookingtimeSettings>;

/** The token strategies and the HTTP client of one connection. */
function build(ctx: Ctx) {
  const auth = new BookingtimeAuth(ctx.http, ctx.endpoints.authUrl, ctx.credentials, ctx.tokens);
  const client = new BookingtimeClient(ctx.http, ctx.endpoints.apiUrl, ctx.tokens, auth);
  return { auth, client };
}

/** bookingtime connector (contract: docs/platforms/bookingtime.md). */
const module: ConnectorModule<BookingtimeCredentials, BookingtimeSettings> = {
  parseCredentials(input) {
    return bookingtimeCredentialsSchema.parse(input);
  },

  /**
   * Client credentials → refresh token (the credentials check), then the organization-less token
   * lists the organizations the app may access (§3.1). Organization tokens come on first use.
   */
  async connect(ctx) {
    const { auth, client } = build(ctx);
    await ctx.tokens.get(P.tokenNames.refresh, auth.refresh);
    // Obtained here whatever the cache holds, so the new connection shows its access token's times at once.
    await ctx.tokens.get(P.tokenNames.app, auth.app);
    // Cached under the connection's namespace, so the first `organizations` query reuses it.
    const list = await organizationListing(ctx, client);
    if (list.recordList.length === 0) {
      throw new ProviderError(
        P.key,
        'connect',
        'BAD_USER_INPUT',
        'bookingtime permits this app no organization: allow the app in a bookingtime organization, then connect again',
      );
    }
    const organizations = list.recordList.map((o) => ({ id: o.id, name: o.name, timeZone: o.timeZone ?? null }));
    const ids = organizations.map((o) => o.id).sort();
    return {
      settings: { appId: appIdOf(ctx.credentials), organizations },
      label: organizations.map((o) => o.name).join(', '),
      accountId: `organizations:${ids.join(',')}`,
    };
  },

  create(ctx): Connector {
    const { auth, client } = build(ctx);
    return {
      webhooks: bookingtimeWebhooks(ctx, client),
      ...bookingtimeQueries(ctx, client),
      // The refresh token lives 30 days (§2.1): client credentials again give a new one.
      keepAlive: (withinMs) => ctx.tokens.renewGrantEndingWithin(P.tokenNames.refresh, auth.refresh, withinMs),
    };
  },
};

/** bookingtime as the gateway sees it (docs/platforms/bookingtime.md). */
export const bookingtime = definePlatform(P, {
  module,
  demoCredentials: (c) => ({ clientId: c.client_id, clientSecret: c.client_secret, appId: c.app_id }),
});
