import type { Clock } from '../framework/clock.js';
import type { Route } from '../framework/types.js';
import { type AuthDeps, organizationRoute } from './auth.js';
import { ORG } from './catalog.js';
import { badPage, failure, listOf, type Message, ok, paginate, parsePage, readJsonObject, TEXT } from './envelope.js';
import { renderAppointment, renderCustomer, renderCustomerShort } from './render.js';
import { type Customer, GENDERS, type Gender, newId, type Organization, PREFIX } from './state.js';

/**
 * Customer routes (contract §3.3): add (201, short form), show, list (short), index and filter
 * (full, paged), edit, delete, identify, and the per-customer appointment index.
 */

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const OPTIONAL_STRINGS = ['email', 'telephone', 'mobile', 'locale', 'notes', 'customId'] as const;
type OptionalString = (typeof OPTIONAL_STRINGS)[number];

/**
 * Validates a customer body; one message per bad parameter. On `add`, `firstName` and `lastName`
 * are required (empty counts as missing); on `edit` every field is optional but must be valid.
 */
export function validateCustomer(body: Record<string, unknown>, mode: 'add' | 'edit'): Message[] {
  const messages: Message[] = [];
  for (const name of ['firstName', 'lastName']) {
    const v = body[name];
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) {
      if (mode === 'add' || v !== undefined) messages.push({ parameter: name, text: mode === 'add' ? TEXT.missing : TEXT.invalid });
    } else if (typeof v !== 'string') messages.push({ parameter: name, text: TEXT.invalid });
  }
  if (body.gender !== undefined && !GENDERS.includes(body.gender as Gender)) messages.push({ parameter: 'gender', text: TEXT.invalid });
  for (const name of OPTIONAL_STRINGS) {
    const v = body[name];
    if (v !== undefined && typeof v !== 'string') messages.push({ parameter: name, text: TEXT.invalid });
  }
  if (typeof body.email === 'string' && body.email !== '' && !EMAIL.test(body.email)) messages.push({ parameter: 'email', text: TEXT.invalid });
  return messages;
}

/** Case-insensitive substring match on names and e-mail (contract §3, Assumed). */
export function matchesSearch(c: Customer, query: string): boolean {
  const q = query.toLocaleLowerCase();
  return [c.firstName, c.lastName, `${c.firstName} ${c.lastName}`, c.email].some((s) => s.toLocaleLowerCase().includes(q));
}

export function customerRoutes(deps: AuthDeps, clock: Clock): Route[] {
  const { state } = deps;
  const notFound = () => failure(404, 'Customer not found.');
  const full = (org: Organization) => (c: Customer) => renderCustomer(org, c);

  const list = organizationRoute(deps, ({ org }) => ok(listOf(state.customersOf(org.id).map(renderCustomerShort))));
  const index = organizationRoute(deps, ({ req, org }) => {
    const page = parsePage(req.params.page);
    if (page === null) return badPage();
    return ok(paginate(state.customersOf(org.id), page, full(org)));
  });
  const filter = organizationRoute(deps, ({ req, org }) => {
    const page = parsePage(req.params.page);
    const query = req.query.get('searchQuery');
    const messages: Message[] = [];
    if (page === null) messages.push({ parameter: 'page', text: TEXT.invalid });
    if (query === null) messages.push({ parameter: 'searchQuery', text: TEXT.missing });
    if (page === null || query === null) return failure(400, messages);
    return ok(
      paginate(
        state.customersOf(org.id).filter((c) => matchesSearch(c, query)),
        page,
        full(org),
      ),
    );
  });

  return [
    {
      method: 'POST',
      path: `${ORG}/customer/add`,
      handler: organizationRoute(deps, ({ req, org }) => {
        const read = readJsonObject(req);
        if (!read.ok) return read.response;
        const b = read.body;
        const messages = validateCustomer(b, 'add');
        if (messages.length) return failure(400, messages);
        const now = clock.now();
        const str = (name: OptionalString) => (typeof b[name] === 'string' ? (b[name] as string) : '');
        const customer: Customer = {
          id: newId(PREFIX.customer),
          customId: str('customId'),
          organizationId: org.id,
          gender: (b.gender as Gender | undefined) ?? 'NONE',
          firstName: (b.firstName as string).trim(),
          lastName: (b.lastName as string).trim(),
          email: str('email'),
          telephone: str('telephone'),
          mobile: str('mobile'),
          locale: str('locale'),
          notes: str('notes'),
          address: { street: '', zip: '', city: '', country: org.address.country },
          timestampAdd: now,
          timestampEdit: now,
        };
        state.customers.set(customer.id, customer);
        return ok(renderCustomerShort(customer), 201);
      }),
    },
    { method: 'GET', path: `${ORG}/customer/list`, handler: list },
    { method: 'GET', path: `${ORG}/customer/listAll`, handler: list },
    { method: 'GET', path: `${ORG}/customer/index/:page`, handler: index },
    { method: 'GET', path: `${ORG}/customer/indexAll/:page`, handler: index },
    { method: 'GET', path: `${ORG}/customer/filter/:page`, handler: filter },
    { method: 'GET', path: `${ORG}/customer/filterAll/:page`, handler: filter },
    {
      method: 'GET',
      path: `${ORG}/customer/:customerId/show`,
      handler: organizationRoute(deps, ({ req, org }) => {
        const c = state.customer(org.id, req.params.customerId);
        return c ? ok(renderCustomer(org, c)) : notFound();
      }),
    },
    {
      method: 'GET',
      path: `${ORG}/customer/:customId/identify`,
      handler: organizationRoute(deps, ({ req, org }) => {
        const c = state.customersOf(org.id).find((x) => x.customId !== '' && x.customId === req.params.customId);
        return c ? ok(renderCustomer(org, c)) : notFound();
      }),
    },
    {
      method: 'PUT',
      path: `${ORG}/customer/:customerId/edit`,
      handler: organizationRoute(deps, ({ req, org }) => {
        const read = readJsonObject(req);
        if (!read.ok) return read.response;
        const b = read.body;
        const messages = validateCustomer(b, 'edit');
        if (messages.length) return failure(400, messages);
        const c = state.customer(org.id, req.params.customerId);
        if (!c) return notFound();
        if (typeof b.firstName === 'string') c.firstName = b.firstName.trim();
        if (typeof b.lastName === 'string') c.lastName = b.lastName.trim();
        if (b.gender !== undefined) c.gender = b.gender as Gender;
        for (const name of OPTIONAL_STRINGS) if (typeof b[name] === 'string') c[name] = b[name] as string;
        c.timestampEdit = clock.now();
        return ok(renderCustomer(org, c));
      }),
    },
    {
      method: 'DELETE',
      path: `${ORG}/customer/:customerId/delete`,
      handler: organizationRoute(deps, ({ req, org }) => {
        const c = state.customer(org.id, req.params.customerId);
        if (!c) return notFound();
        state.customers.delete(c.id);
        return ok(renderCustomerShort(c));
      }),
    },
    {
      method: 'GET',
      path: `${ORG}/customer/:customerId/appointment/index/:page`,
      handler: organizationRoute(deps, ({ req, org }) => {
        const page = parsePage(req.params.page);
        if (page === null) return badPage();
        const c = state.customer(org.id, req.params.customerId);
        if (!c) return notFound();
        const mine = state.appointmentsOf(org.id).filter((a) => a.customerId === c.id);
        return ok(paginate(mine, page, (a) => renderAppointment(state, org, a)));
      }),
    },
  ];
}
