import type { EmulatorContext, EmuRequest, EmuResponse, Route } from '../framework/types.js';
import type { AuthServer, Principal } from './auth.js';
import { type Envelope, type FieldError, optionalString, readFilter, readObjectBody, readPaging, requiredString } from './http.js';
import { type Company, type Customer, companyView, customerView, employeeView, formatId, type PlatformData, serviceView, wholeSecond } from './state.js';
import type { WebhookHub } from './webhooks.js';

/**
 * The company, catalogue and customer calls of §3.1–§3.3. Every handler runs the README §3 order:
 * authentication (401) → scope (403) → body (400/415) → existence (404) → state (409).
 */

/** What the API handlers share; `store.data` is replaced on reset. */
export interface ApiDeps {
  ctx: EmulatorContext;
  env: Envelope;
  auth: AuthServer;
  store: { data: PlatformData };
  hub: WebhookHub;
}

export type Authed = (req: EmuRequest, principal: Principal, company: Company) => EmuResponse | Promise<EmuResponse>;

/** A route that first checks the Bearer credential and, when given, the scope (§2.4 table). */
export function authedRoute(deps: ApiDeps, method: Route['method'], path: string, scope: string | null, fn: Authed): Route {
  return {
    method,
    path,
    handler: (req) => {
      const principal = deps.auth.authenticate(req, scope);
      if ('status' in principal) return principal;
      const company = deps.store.data.companies.find((c) => c.id === principal.companyId) as Company;
      return fn(req, principal, company);
    },
  };
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** True for an IANA zone name the runtime knows (`Area/Location` or `UTC`). */
export function isIanaZone(zone: string): boolean {
  if (zone !== 'UTC' && !zone.includes('/')) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function optionalBoolean(obj: Record<string, unknown>, key: string, field: string, errors: FieldError[]): boolean | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') {
    errors.push({ field, message: 'must be a boolean' });
    return undefined;
  }
  return v;
}

export function companyRoutes(deps: ApiDeps): Route[] {
  const { env } = deps;
  const data = () => deps.store.data;
  const byId = <T extends { id: string }>(a: T, b: T) => a.id.localeCompare(b.id);

  return [
    // §3.1: `/me` needs only a valid credential.
    authedRoute(deps, 'GET', '/api/v1/me', null, (_req, _p, company) => env.ok(companyView(company))),
    authedRoute(deps, 'POST', '/api/v1/me', null, (req, _p, company) => {
      const read = readObjectBody(req, env);
      return read.ok ? env.ok(companyView(company)) : read.response;
    }),

    // §3.2 services and employees.
    authedRoute(deps, 'POST', '/api/v1/services', 'services:read', (req, _p, company) => {
      const read = readObjectBody(req, env);
      if (!read.ok) return read.response;
      const errors: FieldError[] = [];
      const filter = readFilter(read.body, errors);
      const active = optionalBoolean(filter, 'active', 'filter.active', errors);
      const { page, limit } = readPaging(read.body, errors);
      if (errors.length) return env.invalid(errors);
      const items = data()
        .services.filter((s) => s.companyId === company.id && (active === undefined || s.active === active))
        .sort(byId)
        .map((s) => serviceView(s, company.currency));
      return env.page(items, page, limit);
    }),
    authedRoute(deps, 'GET', '/api/v1/services/:id', 'services:read', (req, _p, company) => {
      const service = data().services.find((s) => s.id === req.params.id && s.companyId === company.id);
      return service ? env.ok(serviceView(service, company.currency)) : env.error(404, 'Service not found');
    }),
    authedRoute(deps, 'POST', '/api/v1/employees', 'services:read', (req, _p, company) => {
      const read = readObjectBody(req, env);
      if (!read.ok) return read.response;
      const errors: FieldError[] = [];
      const filter = readFilter(read.body, errors);
      const serviceId = optionalString(filter, 'serviceId', 'filter.serviceId', errors);
      const { page, limit } = readPaging(read.body, errors);
      if (errors.length) return env.invalid(errors);
      const items = data()
        .employees.filter((e) => e.companyId === company.id && (serviceId === undefined || e.serviceIds.includes(serviceId)))
        .sort(byId)
        .map(employeeView);
      return env.page(items, page, limit);
    }),

    // §3.3 customers.
    authedRoute(deps, 'POST', '/api/v1/customers', 'customers:read', (req, _p, company) => {
      const read = readObjectBody(req, env);
      if (!read.ok) return read.response;
      const errors: FieldError[] = [];
      const filter = readFilter(read.body, errors);
      const email = optionalString(filter, 'email', 'filter.email', errors);
      const search = optionalString(filter, 'search', 'filter.search', errors);
      const { page, limit } = readPaging(read.body, errors);
      if (errors.length) return env.invalid(errors);
      const needle = search?.toLowerCase();
      const items = data()
        .customers.filter((c) => {
          if (c.companyId !== company.id) return false;
          if (email !== undefined && c.email.toLowerCase() !== email.toLowerCase()) return false;
          if (needle === undefined) return true;
          return `${c.firstName} ${c.lastName}`.toLowerCase().includes(needle) || c.email.toLowerCase().includes(needle);
        })
        .sort(byId)
        .map(customerView);
      return env.page(items, page, limit);
    }),
    authedRoute(deps, 'GET', '/api/v1/customers/:id', 'customers:read', (req, _p, company) => {
      const customer = data().customers.find((c) => c.id === req.params.id && c.companyId === company.id);
      return customer ? env.ok(customerView(customer)) : env.error(404, 'Customer not found');
    }),
    authedRoute(deps, 'POST', '/api/v1/customers/create', 'customers:write', (req, _p, company) => {
      const read = readObjectBody(req, env);
      if (!read.ok) return read.response;
      const b = read.body;
      const errors: FieldError[] = [];
      const firstName = requiredString(b, 'firstName', errors);
      const lastName = requiredString(b, 'lastName', errors);
      const email = requiredString(b, 'email', errors);
      if (email && !EMAIL_RE.test(email)) errors.push({ field: 'email', message: 'must be an email address' });
      const phone = b.phone === null ? undefined : optionalString(b, 'phone', 'phone', errors);
      if (phone !== undefined && !/^\+?[0-9 ()-]{5,20}$/.test(phone)) errors.push({ field: 'phone', message: 'must be a phone number' });
      const timezone = optionalString(b, 'timezone', 'timezone', errors);
      if (timezone !== undefined && !isIanaZone(timezone)) errors.push({ field: 'timezone', message: 'must be an IANA time zone' });
      if (errors.length) return env.invalid(errors);
      const d = data();
      if (d.customers.some((c) => c.companyId === company.id && c.email.toLowerCase() === email.toLowerCase())) {
        return env.error(409, 'A customer with this email already exists', { code: 'DUPLICATE_EMAIL' });
      }
      const now = wholeSecond(deps.ctx.clock.now());
      const customer: Customer = {
        id: formatId('cust', d.nextId.cust++),
        companyId: company.id,
        firstName: firstName.trim(),
        lastName: lastName.trim(),
        email,
        phone: phone ?? null,
        timezone: timezone ?? company.timezone,
        createdAt: now,
        updatedAt: now,
      };
      d.customers.push(customer);
      const view = customerView(customer);
      return { ...env.ok(view, 201), after: () => void deps.hub.emit(company.id, 'customer.created', view) };
    }),
  ];
}
