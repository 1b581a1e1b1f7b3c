import type { EmulatorContext, EmuRequest, EmuResponse, Handler } from '../framework/types.js';
import { authenticate, type Caller } from './auth.js';
import { guard, originOf, rejectUnsupported } from './jsonapi.js';
import type { AppointeddState } from './state.js';
import type { WebhookHub } from './webhooks.js';

/** What every route group of the emulator works with. */
export interface Runtime {
  ctx: EmulatorContext;
  state: AppointeddState;
  hooks: WebhookHub;
}

/** What an API handler receives once the caller is authenticated. */
export interface ApiCall {
  req: EmuRequest;
  caller: Caller;
  /** The serving origin for absolute links. */
  origin: string;
  now: number;
}

/**
 * Wraps an API handler: bearer authentication (401), then the JSON:API reserved-parameter check
 * (400), then the handler; a thrown `ApiError` becomes its error document (contract §5).
 */
export function apiRoute(rt: Runtime, handler: (call: ApiCall) => EmuResponse | Promise<EmuResponse>): Handler {
  return (req) =>
    guard(() => {
      const caller = authenticate(rt.ctx, rt.state, req);
      rejectUnsupported(req.query);
      return handler({ req, caller, origin: originOf(req, rt.ctx.baseUrl()), now: rt.ctx.clock.now() });
    });
}
