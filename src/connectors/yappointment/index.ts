import { ProviderError } from '../errors.js';
import { definePlatform } from '../platform.js';
import type { Connector, ConnectorContext, ConnectorModule } from '../types.js';
import {
  appCredentials,
  buildAuthorizeUrl,
  exchangeAuthorizationCode,
  missingWriteScope,
  refreshStrategy,
  revokeGrant,
  type YAppointmentCredentials,
  yappointmentCredentialsSchema,
} from './auth.js';
import { YAppointmentClient } from './client.js';
import { yappointmentProvider as P } from './provider.js';
import { grantCompany, yappointmentQueries, type YAppointmentSettings } from './queries.js';
import { yappointmentWebhooks } from './webhooks.js';

type Ctx = ConnectorContext<YAppointmentCredentials, YAppointmentSettings>;

function build(ctx: Ctx) {
  const strategy = refreshStrategy(ctx.http, ctx.endpoints.apiUrl, ctx.app);
  const client = new YAppointmentClient(ctx.http, ctx.endpoints.apiUrl, ctx.tokens, strategy);
  return { strategy, client };
}

/**
 * yAppointment connector (contract: docs/platforms/yappointment.md); its queries live in `queries.ts`.
 * One connection = one company.
 */
const module: ConnectorModule<YAppointmentCredentials, YAppointmentSettings> = {
  parseCredentials(input) {
    return yappointmentCredentialsSchema.parse(input ?? {});
  },

  oauth: {
    pkce: P.pkce,

    authorizeUrl(ctx, params) {
      return buildAuthorizeUrl(ctx.endpoints.authUrl, appCredentials(ctx.app).clientId, params);
    },

    /** Exchanges the code (token endpoint on the API host), stores the set, then asks `/me` for the company. */
    async exchangeCode(ctx, params) {
      const set = await exchangeAuthorizationCode(ctx.http, ctx.endpoints.apiUrl, appCredentials(ctx.app), params, () => ctx.tokens.now());
      await ctx.tokens.put('default', set);
      const company = await grantCompany(build(ctx).client, 'exchangeCode');
      return { settings: { companyId: company._id, timezone: company.timezone ?? null }, label: company.name, accountId: `company:${company._id}` };
    },
  },

  /** Revokes the grant (§2.3); the gateway then forgets the tokens and marks the connection DISCONNECTED. */
  async revoke(ctx) {
    const set = await ctx.tokens.peek('default');
    if (!set) return;
    await revokeGrant(ctx.http, ctx.endpoints.apiUrl, appCredentials(ctx.app), set);
  },

  create(ctx): Connector {
    const { client, strategy } = build(ctx);
    const queries = yappointmentQueries(ctx, client);
    return {
      webhooks: yappointmentWebhooks(ctx, client),
      ...queries,
      createCustomer: async (input) => (await ensureWritable(ctx, 'createCustomer'), queries.createCustomer(input)),
      createBooking: async (input) => (await ensureWritable(ctx, 'createBooking'), queries.createBooking(input)),
      cancelBooking: async (ref, reason) => (await ensureWritable(ctx, 'cancelBooking'), queries.cancelBooking(ref, reason)),
      // The refresh token lives 90 days from issue and rotates on use (§2.2): a refresh renews it.
      keepAlive: (withinMs) => ctx.tokens.renewGrantEndingWithin('default', strategy, withinMs),
    };
  },
};

/**
 * A write on a connection connected read-only (its grant was asked without `bookings:write`, §2.4)
 * is FORBIDDEN before any call: the platform would refuse it, and only a new consent with
 * `startConnection(write: true)` can change that.
 */
async function ensureWritable(ctx: Ctx, operation: string): Promise<void> {
  const missing = missingWriteScope(await ctx.tokens.peek('default'));
  if (missing) {
    throw new ProviderError(
      P.key,
      operation,
      'FORBIDDEN',
      `This yAppointment connection is read-only (${missing} was not asked for): re-authorize it with startConnection(provider: YAPPOINTMENT, write: true, and this connection's id to write`,
      { status: 403 },
    );
  }
}

/** yAppointment as the gateway sees it (docs/platforms/yappointment.md). */
export const yappointment = definePlatform(P, {
  module,
});
