import type { Route } from '../framework/types.js';
import { accountFilter, requireAccount } from './auth.js';
import { ApiError, isObject, oneParam, paged, pageParams, primaryData, readDocument, selfUrl, single, toOne } from './jsonapi.js';
import { type Customer, newestFirst } from './model.js';
import { renderCustomer } from './render.js';
import { apiRoute, type Runtime } from './runtime.js';

/**
 * Contract §3.3: `GET /v2/customers` (`filter[email]` exact, case-insensitive; `filter[name]`
 * case-insensitive substring of "firstname lastname"), `GET /v2/customers/{id}`, `POST
 * /v2/customers` (201 + `Location`; duplicate email in the account → 409; fires `customer_created`).
 */

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9][0-9 ().-]{3,24}$/;

interface CustomerInput {
  firstname: string;
  lastname: string;
  email: string | null;
  mobile: string | null;
  phone: string | null;
  tags: string[];
  marketingOptIn: boolean;
}

/** Validates `attributes` of a customer create document (422 with a pointer on the first problem). */
function customerInput(attributes: Record<string, unknown>): CustomerInput {
  const at = (path: string) => ({ pointer: `/data/attributes/${path}` });
  const profile = attributes.profile;
  if (!isObject(profile)) throw new ApiError(422, 'profile is required.', at('profile'));
  const name = (key: 'firstname' | 'lastname') => {
    const v = profile[key];
    if (typeof v !== 'string' || v.trim() === '') throw new ApiError(422, `profile.${key} is required.`, at(`profile/${key}`));
    if (v.length > 100) throw new ApiError(422, `profile.${key} is longer than 100 characters.`, at(`profile/${key}`));
    return v.trim();
  };
  const optional = (key: 'email' | 'mobile' | 'phone', pattern: RegExp) => {
    const v = profile[key];
    if (v === undefined || v === null || v === '') return null;
    if (typeof v !== 'string' || !pattern.test(v.trim())) throw new ApiError(422, `profile.${key} is not valid.`, at(`profile/${key}`));
    return v.trim();
  };
  const tags = attributes.tags ?? [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string')) throw new ApiError(422, 'tags must be an array of strings.', at('tags'));
  const optIn = attributes.marketing_opt_in ?? false;
  if (typeof optIn !== 'boolean') throw new ApiError(422, 'marketing_opt_in must be a boolean.', at('marketing_opt_in'));
  return {
    firstname: name('firstname'),
    lastname: name('lastname'),
    email: optional('email', EMAIL),
    mobile: optional('mobile', PHONE),
    phone: optional('phone', PHONE),
    tags: tags as string[],
    marketingOptIn: optIn,
  };
}

export function customerRoutes(rt: Runtime): Route[] {
  const { state } = rt;
  return [
    {
      method: 'GET',
      path: '/v2/customers',
      handler: apiRoute(rt, ({ req, caller, origin }) => {
        const accounts = accountFilter(caller, req.query);
        const email = oneParam(req.query, 'filter[email]')?.toLowerCase() ?? null;
        const name = oneParam(req.query, 'filter[name]')?.toLowerCase() ?? null;
        const page = pageParams(req.query);
        const items = newestFirst(
          [...state.customers.values()].filter(
            (c) =>
              accounts.includes(c.accountId) &&
              (email === null || c.email?.toLowerCase() === email) &&
              (name === null || `${c.firstname} ${c.lastname}`.toLowerCase().includes(name)),
          ),
        );
        return paged(req, origin, page, items, (c) => renderCustomer(origin, c));
      }),
    },
    {
      method: 'GET',
      path: '/v2/customers/:id',
      handler: apiRoute(rt, ({ req, caller, origin }) => {
        const customer = state.customers.get(req.params.id);
        if (!customer || !caller.canSee(customer.accountId)) throw new ApiError(404, 'No customer with that id.');
        return single(renderCustomer(origin, customer), selfUrl(req, origin));
      }),
    },
    {
      method: 'POST',
      path: '/v2/customers',
      handler: apiRoute(rt, ({ req, caller, origin, now }) => {
        const doc = readDocument(req) as Record<string, unknown>;
        const data = primaryData(doc, 'customers');
        const accountId = toOne(data, 'account', 'accounts');
        if (accountId === undefined) throw new ApiError(422, 'relationships.account is required.', { pointer: '/data/relationships/account' });
        requireAccount(caller, accountId, { pointer: '/data/relationships/account/data/id' });
        const input = customerInput((data.attributes ?? {}) as Record<string, unknown>);
        if (input.email !== null) {
          const email = input.email.toLowerCase();
          const taken = [...state.customers.values()].some((c) => c.accountId === accountId && c.email?.toLowerCase() === email);
          if (taken) throw new ApiError(409, 'A customer with this email already exists in the account.', { pointer: '/data/attributes/profile/email' });
        }
        const account = state.accounts.get(accountId);
        const customer: Customer = {
          id: state.newObjectId(now),
          accountId,
          ...input,
          timezone: account?.timezone ?? 'Europe/London',
          created: now,
          updated: now,
          seq: state.nextSeq(),
        };
        state.customers.set(customer.id, customer);
        const resource = renderCustomer(origin, customer);
        const send = rt.hooks.customerEvent('customer_created', customer);
        return { ...single(resource, resource.links.self, 201, { location: resource.links.self }), after: send };
      }),
    },
  ];
}
