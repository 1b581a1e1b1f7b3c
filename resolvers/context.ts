import type { GraphQLResolveInfo } from 'graphql';
import type { Tenant } from '../src/auth/tenants.js';
import type { EventBus } from '../src/events/bus.js';
import type { Gateway, RequestScope } from '../src/gateway/gateway.js';
import type { OAuthFlow } from '../src/gateway/oauth-flow.js';

/** What every resolver gets: the authenticated tenant and the gateway to delegate to. */
export interface GraphQLContext {
  tenant: Tenant;
  gateway: Gateway;
  oauth: OAuthFlow;
  events: EventBus;
  /** The request scope with failures reported at this field's path. */
  scopeAt(info: GraphQLResolveInfo): RequestScope;
}
