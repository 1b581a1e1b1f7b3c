import { definePlatform } from '../platform.js';
import type { Connector, ConnectorContext, ConnectorModule } from '../types.js';
import {
  appCredentials,
  buildAuthorizeUrl,
  type DayScheduleCredentials,
  dayscheduleCredentialsSchema,
  exchangeAuthorizationCode,
  refreshTokenStrategy,
} from './auth.js';
import { DayScheduleClient } from './client.js';
import { dayscheduleProvider as P } from './provider.js';
import { contactLinks, dayscheduleQueries, type DayScheduleSettings, grantOrganization } from './queries.js';
import { dayscheduleWebhooks } from './webhooks.js';

type Ctx = ConnectorContext<DayScheduleCredentials, DayScheduleSettings>;

function build(ctx: Ctx) {
  const strategy = refreshTokenStrategy(ctx.http, ctx.endpoints.authUrl, ctx.app);
  const client = new DayScheduleClient(ctx.http, ctx.endpoints.apiUrl, ctx.tokens, strategy);
  return { strategy, client };
}

/**
 * DaySchedule connector (contract: docs/platforms/dayschedule.md); its queries live in `queries.ts`.
 * One connection = one organization.
 */
const module: ConnectorModule<DayScheduleCredentials, DayScheduleSettings> = {
  parseCredentials(input) {
    return dayscheduleCredentialsSchema.parse(input ?? {});
  },

  oauth: {
    pkce: P.pkce,

    authorizeUrl(ctx, params) {
      return buildAuthorizeUrl(ctx.endpoints.authUrl, appCredentials(ctx.app).clientId, params);
    },

    async exchangeCode(ctx, params) {
      const set = await exchangeAuthorizationCode(ctx.http, ctx.endpoints.authUrl, appCredentials(ctx.app), params, () => ctx.tokens.now());
      await ctx.tokens.put('default', set);
      const org = await grantOrganization(build(ctx).client);
      return { settings: { orgId: org.ref }, label: org.name, accountId: `organization:${org.ref}` };
    },
  },

  create(ctx): Connector {
    const { client } = build(ctx);
    const links = contactLinks(ctx, client);
    const queries = dayscheduleQueries(ctx, client, links);
    return { webhooks: dayscheduleWebhooks(client, queries, links, ctx.app.appName ?? P.appName), ...queries };
  },
};

/** DaySchedule as the gateway sees it (docs/platforms/dayschedule.md). */
export const dayschedule = definePlatform(P, {
  module,
});
