import type { IncomingMessage, Server } from 'node:http';
import { GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import type { KeyFailureLimiter } from '../auth/key-failures.js';
import { type HostPolicy, isAllowedHost } from './allowed-hosts.js';
import { createContext, type Services } from './app.js';
import { formatError } from './errors.js';
import { DEFAULT_LIMITS, requestRefusal } from './limits.js';
import { buildGatewaySchema } from './schema.js';

/**
 * GraphQL subscriptions over `graphql-ws` on `/graphql`. The client authenticates in
 * `connectionParams` (`{ authorization: 'Bearer <api key>' }`); a missing or wrong key closes the
 * socket with 4403 Forbidden before any operation runs; a wrong key from an address over the
 * limit of `keyFailures` closes it with 4429 instead. Each subscriber sees only its tenant's events.
 * The upgrade itself is refused (421) for a `Host` the policy does not allow.
 */
export function attachSubscriptions(
  server: Server,
  services: Services,
  guards: { hosts?: HostPolicy; keyFailures?: KeyFailureLimiter } = {},
): { close(): Promise<void> } {
  const wss = new WebSocketServer({
    server,
    path: '/graphql',
    verifyClient: (info: { req: IncomingMessage }, done: (ok: boolean, code?: number, message?: string) => void) =>
      !guards.hosts || isAllowedHost(guards.hosts, info.req.headers.host) ? done(true) : done(false, 421, 'Misdirected Request'),
  });
  const keyOf = (params: Record<string, unknown> | undefined) => {
    const raw = params?.authorization ?? params?.Authorization;
    const m = typeof raw === 'string' ? /^bearer\s+(\S+)\s*$/i.exec(raw) : null;
    return m ? m[1] : null;
  };
  const schema = buildGatewaySchema();
  const limits = { ...DEFAULT_LIMITS, ...services.config.limits, maxPageSize: services.config.maxPageSize };
  const cleanup = useServer(
    {
      schema,
      // The operation limits of HTTP requests (src/server/limits.ts) hold for subscriptions too.
      onSubscribe: (_ctx, _id, payload) => {
        const refusal = requestRefusal(schema, payload, limits);
        return refusal ? [new GraphQLError(refusal.message, { extensions: { code: 'QUERY_TOO_COMPLEX', limit: refusal.report } })] : undefined;
      },
      onConnect: async (ctx) => {
        const apiKey = keyOf(ctx.connectionParams);
        const tenant = apiKey === null ? null : await services.tenants.authenticate(apiKey);
        if (!tenant) {
          const { request, socket } = ctx.extra as { request: IncomingMessage; socket: WebSocket };
          const retryAfter = apiKey === null ? null : (guards.keyFailures?.fail(request.socket.remoteAddress ?? 'unknown') ?? null);
          if (retryAfter !== null) socket.close(4429, `Too many wrong API keys: retry in ${retryAfter} s`);
          return false;
        }
        (ctx.extra as { tenantId?: string }).tenantId = tenant.id;
        return true;
      },
      context: async (ctx) => {
        const tenantId = (ctx.extra as { tenantId?: string }).tenantId;
        const tenant = tenantId ? await services.tenants.get(tenantId) : undefined;
        if (!tenant) throw new GraphQLError('A valid API key is required', { extensions: { code: 'UNAUTHENTICATED' } });
        return createContext(services, tenant);
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e) as GraphQLError),
    },
    wss,
  );
  return {
    /** Tells every client "going away" and closes the WebSocket server (graphql-ws does both). */
    async close() {
      // Closing `wss` a second time would wait for a 'close' event that already happened.
      await cleanup.dispose();
    },
  };
}
