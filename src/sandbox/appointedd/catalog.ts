import type { Route } from '../framework/types.js';
import { accountFilter } from './auth.js';
import { ApiError, idListParam, paged, pageParams, selfUrl, single } from './jsonapi.js';
import { newestFirst } from './model.js';
import { renderAccount, renderResource, renderService } from './render.js';
import { apiRoute, type Runtime } from './runtime.js';

/**
 * Contract §3.1–§3.2: accounts, services and resources (staff). Objects of accounts outside the
 * client's permission are invisible (404); naming such an account in `filter[account_id]` → 403.
 */
export function catalogRoutes(rt: Runtime): Route[] {
  const { state } = rt;
  const notFound = (type: string) => new ApiError(404, `No ${type} with that id.`);
  return [
    {
      method: 'GET',
      path: '/v2/accounts',
      handler: apiRoute(rt, ({ req, caller, origin }) => {
        const accounts = accountFilter(caller, req.query);
        const page = pageParams(req.query);
        const items = newestFirst([...state.accounts.values()].filter((a) => accounts.includes(a.id)));
        return paged(req, origin, page, items, (a) => renderAccount(origin, a));
      }),
    },
    {
      method: 'GET',
      path: '/v2/accounts/:id',
      handler: apiRoute(rt, ({ req, caller, origin }) => {
        const account = state.accounts.get(req.params.id);
        if (!account || !caller.canSee(account.id)) throw notFound('account');
        return single(renderAccount(origin, account), selfUrl(req, origin));
      }),
    },
    {
      method: 'GET',
      path: '/v2/services',
      handler: apiRoute(rt, ({ req, caller, origin }) => {
        const accounts = accountFilter(caller, req.query);
        const page = pageParams(req.query);
        const items = newestFirst([...state.services.values()].filter((s) => accounts.includes(s.accountId)));
        return paged(req, origin, page, items, (s) => renderService(origin, state, s));
      }),
    },
    {
      method: 'GET',
      path: '/v2/services/:id',
      handler: apiRoute(rt, ({ req, caller, origin }) => {
        const service = state.services.get(req.params.id);
        if (!service || !caller.canSee(service.accountId)) throw notFound('service');
        return single(renderService(origin, state, service), selfUrl(req, origin));
      }),
    },
    {
      method: 'GET',
      path: '/v2/resources',
      handler: apiRoute(rt, ({ req, caller, origin }) => {
        const accounts = accountFilter(caller, req.query);
        const serviceIds = idListParam(req.query, 'filter[service_id]');
        const page = pageParams(req.query);
        const items = newestFirst(
          [...state.resources.values()].filter(
            (r) => accounts.includes(r.accountId) && (serviceIds === null || serviceIds.some((id) => state.services.get(id)?.resourceIds.includes(r.id))),
          ),
        );
        return paged(req, origin, page, items, (r) => renderResource(origin, state, r));
      }),
    },
    {
      method: 'GET',
      path: '/v2/resources/:id',
      handler: apiRoute(rt, ({ req, caller, origin }) => {
        const resource = state.resources.get(req.params.id);
        if (!resource || !caller.canSee(resource.accountId)) throw notFound('resource');
        return single(renderResource(origin, state, resource), selfUrl(req, origin));
      }),
    },
  ];
}
