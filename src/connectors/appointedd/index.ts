import { definePlatform } from '../platform.js';
import type { Connector, ConnectorContext, ConnectorModule } from '../types.js';
import { type AppointeddCredentials, appointeddCredentialsSchema, clientCredentialsStrategy } from './auth.js';
import { AppointeddClient } from './client.js';
import { appointeddProvider as P } from './provider.js';
import { appointeddQueries, type AppointeddSettings, listAccounts } from './queries.js';
import { appointeddWebhooks } from './webhooks.js';

type Ctx = ConnectorContext<AppointeddCredentials, AppointeddSettings>;

function build(ctx: Ctx) {
  const strategy = clientCredentialsStrategy(ctx.http, ctx.endpoints.authUrl, ctx.credentials);
  const client = new AppointeddClient(ctx.http, ctx.endpoints.apiUrl, ctx.tokens, strategy);
  return { strategy, client };
}

/** Appointedd connector (contract: docs/platforms/appointedd.md); its queries live in `queries.ts`. */
const module: ConnectorModule<AppointeddCredentials, AppointeddSettings> = {
  parseCredentials(input) {
    return appointeddCredentialsSchema.parse(input);
  },

  async connect(ctx) {
    const { strategy, client } = build(ctx);
    await ctx.tokens.get('default', strategy);
    const accounts = await listAccounts(client);
    return {
      settings: { accountIds: accounts.map((a) => a.id) },
      label: accounts.map((a) => a.attributes.name).join(', ') || 'Appointedd',
      accountId: `accounts:${accounts
        .map((a) => a.id)
        .sort()
        .join(',')}`,
    };
  },

  create(ctx): Connector {
    const { client } = build(ctx);
    return { webhooks: appointeddWebhooks(ctx, client), ...appointeddQueries(ctx, client) };
  },
};

/** Appointedd as the gateway sees it (docs/platforms/appointedd.md). */
export const appointedd = definePlatform(P, {
  module,
  demoCredentials: (c) => ({ clientId: c.client_id, clientSecret: c.client_secret }),
});
