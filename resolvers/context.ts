import type { GraphQLResolveInfo } from 'graphql';
import type { Tenant } from '../src/auth/tenants.js';
import type { EventBus } from '../src/events/bus.js';
import type { WebhookService } from '../src/events/webhooks.js';
import type { ConsentFlow } from '../src/gateway/consent.js';
import type { ConnectionLifecycle } from '../src/gateway/lifecycle.js';
import type { Reads } from '../src/gateway/reads.js';
import type { RequestScope } from '../src/gateway/request-scope.js';
import type { Writes } from '../src/gateway/writes.js';

/** What every resolver gets: the authenticated tenant and the services to delegate to. */
export interface GraphQLContext {
  tenant: Tenant;
  reads: Reads;
  writes: Writes;
  lifecycle: ConnectionLifecycle;
  consent: ConsentFlow;
  events: EventBus;
  webhooks: WebhookService;
  /**
   * Starts a new request scope (fresh loaders, connection list and failures): a subscription does this
   * per event, so what it loads stays current and bounded however long it runs.
   */
  renew(): void;
  /** The request scope with failures reported at this field's path. */
  scopeAt(info: GraphQLResolveInfo): RequestScope;
}
