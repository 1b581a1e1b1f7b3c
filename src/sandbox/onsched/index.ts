import type { PlatformEmulator, PlatformFactory } from '../framework/types.js';
import { appointmentRoutes } from './appointments.js';
import { secureWith, TokenStore, tokenHandler } from './auth.js';
import { availabilityRoutes } from './availability.js';
import { catalogRoutes } from './catalog.js';
import { runEvent } from './events.js';
import { errorResponse, MEDIA_TYPE } from './http.js';
import { AppointmentOps } from './operations.js';
import { COMPANIES, DEMO_USER_EMAIL } from './seed-catalog.js';
import { OnSchedState } from './state.js';
import { WebhookNotifier, webhookRoutes } from './webhooks.js';

/**
 * The OnSched emulator (contract: docs/platforms/onsched.md): V3 token endpoint, the V1 consumer
 * and setup paths V3 serves, and V3 location webhooks, on one origin.
 */
export const createOnSchedEmulator: PlatformFactory = (ctx): PlatformEmulator => {
  const state = new OnSchedState(ctx.options.anchorDate);
  const tokens = new TokenStore(ctx.clock, () => `${ctx.baseUrl()}/auth/v1`);
  const secure = secureWith(state, tokens);
  const ops = new AppointmentOps(state, ctx.clock);
  const notifier = new WebhookNotifier(state, ctx);

  const companyCredentials = (c: (typeof COMPANIES)[number]) => ({
    id: c.id,
    name: c.name,
    timezone: c.timezoneName,
    api_key: c.apiKey,
    public_client_id: c.publicClientId,
    location_ids: state.locationsOf(c.id).map((l) => l.id),
  });

  return {
    mediaType: MEDIA_TYPE,
    grantTypes: ['refresh_token'],
    routes: [
      { method: 'POST', path: '/v3/auth/token', kind: 'token', handler: tokenHandler(state, tokens) },
      ...catalogRoutes(state, ctx.clock, secure),
      ...appointmentRoutes(state, ops, notifier, secure),
      ...availabilityRoutes(state, ctx.clock, secure),
      ...webhookRoutes(state, ctx, secure),
    ],
    errorResponse: (status, message) => errorResponse(status, message, status === 401 ? { 'www-authenticate': 'Bearer' } : {}),
    credentials: () => ({
      platform: 'onsched',
      refresh_token: tokens.dashboardToken,
      user_email: DEMO_USER_EMAIL,
      companies: COMPANIES.filter((c) => c.accountId === COMPANIES[0].accountId).map(companyCredentials),
      foreign_company: companyCredentials(COMPANIES[2]),
    }),
    reset: () => {
      state.reset();
      tokens.reset();
    },
    revokeAll: () => tokens.revokeAll(),
    event: (type, bookingId) => runEvent(type, bookingId, { state, ops, notifier, clock: ctx.clock }),
    tick: (nowMs) => notifier.tick(nowMs),
  };
};
