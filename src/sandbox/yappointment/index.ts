import type { PlatformEmulator, PlatformFactory } from '../framework/types.js';
import { type ApiDeps, companyRoutes } from './api.js';
import { AuthServer } from './auth.js';
import { bookingRoutes } from './bookings.js';
import { applySandboxEvent } from './events.js';
import { Envelope, MEDIA_TYPE } from './http.js';
import { RateLimiter } from './ratelimit.js';
import { API_KEYS, buildSeed, CLIENT_ID, CLIENT_SECRET, COMPANY_SUMMARIES, SCOPES } from './seed.js';
import { WebhookHub } from './webhooks.js';

/**
 * The yAppointment emulator (contract: docs/platforms/yappointment.md): OAuth 2.1 connect flow
 * with PKCE S256, strict refresh rotation and RFC 7009 revocation, the v1 REST API with its
 * envelope, documented rate limits, and signed webhooks registered through the admin-UI stand-in.
 */
export const createYAppointmentEmulator: PlatformFactory = (ctx) => {
  const env = new Envelope(ctx.clock);
  const auth = new AuthServer(ctx, env);
  const hub = new WebhookHub(ctx);
  const store = { data: buildSeed(ctx.options.anchorDate) };
  const deps: ApiDeps = { ctx, env, auth, store, hub };
  const limiter = new RateLimiter(ctx, env, (credential) => auth.principal(credential) !== null);
  const apiRoutes = [...companyRoutes(deps), ...bookingRoutes(deps)].map((r) => ({ ...r, handler: limiter.withHeaders(r.handler) }));

  const emulator: PlatformEmulator = {
    mediaType: MEDIA_TYPE,
    grantTypes: ['authorization_code', 'refresh_token'],
    routes: [...auth.routes(), ...apiRoutes],
    errorResponse: (status, message) => env.error(status, message),
    rateLimit: (req) => limiter.check(req),
    credentials: () => ({
      platform: 'yappointment',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: auth.registeredRedirectUris(),
      scopes: [...SCOPES],
      companies: COMPANY_SUMMARIES.map((c) => ({ ...c })),
      api_keys: { ...API_KEYS },
    }),
    reset: () => {
      store.data = buildSeed(ctx.options.anchorDate);
      auth.reset();
      hub.reset();
      limiter.reset();
    },
    revokeAll: () => auth.revokeAll(),
    event: (type, bookingId) => applySandboxEvent(deps, type, bookingId),
    webhookAdmin: {
      list: () => hub.list(),
      create: (body) => hub.create(body),
      remove: (id) => hub.remove(id),
    },
  };
  return emulator;
};
