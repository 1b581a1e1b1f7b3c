import type { PlatformFactory } from '../framework/types.js';
import { tokenHandler } from './auth.js';
import { availabilityRoutes } from './availability.js';
import { bookingRoutes } from './bookings.js';
import { catalogRoutes } from './catalog.js';
import { customerRoutes } from './customers.js';
import { eventRunner } from './events.js';
import { errorDocument, JSONAPI_MEDIA_TYPE } from './jsonapi.js';
import type { Runtime } from './runtime.js';
import { AppointeddState, CLIENTS } from './state.js';
import { WebhookHub } from './webhooks.js';

/**
 * The Appointedd emulator (contract: docs/platforms/appointedd.md): client-credentials tokens on
 * `POST /v2/oauth/tokens`, JSON:API 1.0 resources under `/v2`, webhooks from the admin-UI stand-in.
 */
export const createAppointeddEmulator: PlatformFactory = (ctx) => {
  const state = new AppointeddState(ctx.options.anchorDate);
  const hooks = new WebhookHub(ctx, state);
  const rt: Runtime = { ctx, state, hooks };
  return {
    mediaType: JSONAPI_MEDIA_TYPE,
    grantTypes: ['client_credentials'],
    routes: [
      { method: 'POST', path: '/v2/oauth/tokens', kind: 'token', handler: tokenHandler(ctx, state) },
      ...catalogRoutes(rt),
      ...customerRoutes(rt),
      ...bookingRoutes(rt),
      ...availabilityRoutes(rt),
    ],
    errorResponse: (status, message) => errorDocument(status, message),
    credentials: () => ({
      platform: 'appointedd',
      client_id: CLIENTS[0].clientId,
      client_secret: CLIENTS[0].clientSecret,
      clients: CLIENTS.map((c) => ({
        client_id: c.clientId,
        client_secret: c.clientSecret,
        permission: c.permission,
        account_ids: [...c.accountIds],
      })),
      accounts: [...state.accounts.values()].sort((a, b) => a.seq - b.seq).map((a) => ({ id: a.id, name: a.name, timezone: a.timezone })),
    }),
    reset: () => state.reset(),
    revokeAll: () => {
      const now = ctx.clock.now();
      const live = [...state.tokens.values()].filter((t) => t.expiresAt > now).length;
      state.tokens.clear();
      return { accessTokens: live, refreshTokens: 0, codes: 0 };
    },
    event: eventRunner(rt),
    webhookAdmin: hooks.admin,
  };
};
