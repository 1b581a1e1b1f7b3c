import { defaultRedirectUris } from '../framework/oauth.js';
import type { PlatformFactory } from '../framework/types.js';
import { authorizeRoutes, tokenRoute } from './auth.js';
import { bookingRoutes } from './bookings.js';
import { directoryRoutes } from './directory.js';
import { simulateEvent } from './events.js';
import { MEDIA_TYPE, dsError } from './http.js';
import { APP_NAME, CLIENT_ID, CLIENT_SECRET } from './model.js';
import { publicRoutes } from './public.js';
import { DayScheduleState } from './state.js';
import { TriggerHub } from './webhooks.js';

/**
 * The DaySchedule emulator (contract: docs/platforms/dayschedule.md): OAuth2 authorization code
 * without PKCE and rotating refresh tokens, the v1 API (users, pages, resources, contacts,
 * bookings) with Bearer or `?apiKey=` auth, the public v2 widget API, and app triggers.
 */
export const createDayScheduleEmulator: PlatformFactory = (ctx) => {
  const state = new DayScheduleState(ctx.clock, ctx.options.anchorDate);
  const hub = new TriggerHub(state, ctx);
  const redirectUris = defaultRedirectUris('dayschedule', ctx.options.redirectUris);

  return {
    mediaType: MEDIA_TYPE,
    grantTypes: ['authorization_code', 'refresh_token'],
    routes: [
      ...authorizeRoutes(state, redirectUris),
      tokenRoute(state),
      ...directoryRoutes(state),
      ...bookingRoutes(state, hub),
      ...hub.routes(),
      ...publicRoutes(state, hub),
    ],
    errorResponse: dsError,
    credentials: () => ({
      platform: 'dayschedule',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      app_name: APP_NAME,
      redirect_uris: redirectUris,
      organizations: state.data.orgs.map((o) => ({ id: o.org_id, name: o.name, timezone: o.timezone, owner_user_id: o.owner_user_id })),
      api_keys: Object.fromEntries(state.data.orgs.map((o) => [String(o.org_id), o.api_key])),
    }),
    reset: () => state.reset(),
    revokeAll: () => state.revokeAll(),
    event: (type, bookingId) => simulateEvent(state, hub, type, bookingId),
    tick: (nowMs) => hub.tick(nowMs),
  };
};
