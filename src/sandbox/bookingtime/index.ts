import type { PlatformFactory } from '../framework/types.js';
import { appointmentRoutes } from './appointments.js';
import { type AuthDeps, consent, redirectUris, tokenHandler } from './auth.js';
import { catalogRoutes } from './catalog.js';
import { customerRoutes } from './customers.js';
import { errorResponse, MEDIA_TYPE } from './envelope.js';
import { runEvent } from './events.js';
import { APP_ID, buildSeed, CLIENT_ID, CLIENT_SECRET } from './seed.js';
import { SlotEngine } from './slots.js';
import { BookingtimeState } from './state.js';
import { TokenStore } from './tokens.js';

/**
 * The bookingtime emulator (contract: docs/platforms/bookingtime.md): the form-only two-step
 * token endpoint, the consent page, and the App API v3 under `/app/v3/{locale}/`. No webhooks and
 * no native rate limits.
 */
export const createBookingtimeEmulator: PlatformFactory = (ctx) => {
  const seed = buildSeed(ctx.options.anchorDate);
  const state = new BookingtimeState();
  state.load(seed);
  const tokens = new TokenStore(ctx.clock);
  const slots = new SlotEngine(state, ctx.clock);
  const deps: AuthDeps = { ctx, state, tokens };

  return {
    mediaType: MEDIA_TYPE,
    grantTypes: ['client_credentials', 'authorization_code', 'refresh_token'],
    routes: [
      { method: 'POST', path: '/oauth/token', kind: 'token', handler: tokenHandler(deps) },
      ...consent(deps),
      ...catalogRoutes(deps, slots),
      ...customerRoutes(deps, ctx.clock),
      ...appointmentRoutes(deps, slots, ctx.clock),
    ],
    errorResponse,
    credentials: () => ({
      platform: 'bookingtime',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      app_id: APP_ID,
      redirect_uris: redirectUris(ctx),
      organizations: seed.organizations.map((o) => ({ id: o.id, name: o.name, timezone: o.timeZone, permitted: o.permitted })),
    }),
    reset: () => {
      state.load(seed);
      tokens.reset();
    },
    revokeAll: () => tokens.revokeAll(),
    event: (type, bookingId) => runEvent(state, slots, ctx.clock, type, bookingId),
  };
};
