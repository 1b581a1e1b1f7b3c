import type { Server } from 'node:http';
import { GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { createContext, type Services } from './app.js';
import { formatError } from './errors.js';
import { buildGatewaySchema } from './schema.js';

/**
 * GraphQL subscriptions over `graphql-ws` on `/graphql`. The client authenticates in
 * `connectionParams` (`{ authorization: 'Bearer <api key>' }`); a missing or wrong key closes the
 * socket with 4403 Forbidden before any operation runs. Each subscriber sees only its tenant's
 * events.
 */
export function attachSubscriptions(server: Server, services: Services): { close(): Promise<void> } {
  const wss = new WebSocketServer({ server, path: '/graphql' });
  const tenantOf = async (params: Record<string, unknown> | undefined) => {
    const raw = params?.authorization ?? params?.Authorization;
    const m = typeof raw === 'string' ? /^bearer\s+(\S+)\s*$/i.exec(raw) : null;
    return m ? services.tenants.authenticate(m[1]) : null;
  };
  const cleanup = useServer(
    {
      schema: buildGatewaySchema(),
      onConnect: async (ctx) => {
        const tenant = await tenantOf(ctx.connectionParams);
        if (!tenant) return false;
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
