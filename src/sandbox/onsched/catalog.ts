import { randomUUID } from 'node:crypto';
import type { Clock } from '../framework/clock.js';
import type { EmuRequest, Route } from '../framework/types.js';
import type { Secure } from './auth.js';
import { fail, isEmail, isUuid, jsonBody, listPage, ok, pathId, queryBool, queryUuid, sameText, str } from './http.js';
import type { Company, Customer, Location } from './model.js';
import type { OnSchedState } from './state.js';
import { companyView, customerView, locationView, resourceView, serviceView } from './views.js';

/**
 * Company, locations, services, resources and customers (contract §3.1–§3.3). Lists use the §3
 * envelope; filters on ids take UUIDs (400 otherwise) and an unknown `locationId` is a 404.
 */

const contains = (haystack: string, needle: string) => haystack.toLowerCase().includes(needle.toLowerCase());

/** A `locationId` filter: null when absent, 404 when not one of the company's locations. */
function locationFilter(req: EmuRequest, state: OnSchedState, company: Company): Location | null {
  const id = queryUuid(req, 'locationId');
  if (!id) return null;
  const location = state.location(company.id, id);
  if (!location) fail(404, `Location ${id} not found`);
  return location as Location;
}

export function catalogRoutes(state: OnSchedState, clock: Clock, secure: Secure): Route[] {
  const found = <T>(value: T | undefined, what: string, id: string): T => {
    if (value === undefined) fail(404, `${what} ${id} not found`);
    return value as T;
  };
  return [
    { method: 'GET', path: '/setup/v1/companies', handler: secure((_req, company) => ok(companyView(company))) },
    {
      method: 'GET',
      path: '/consumer/v1/locations',
      handler: secure((req, company) => {
        const name = req.query.get('name');
        const ignorePrimary = queryBool(req, 'ignorePrimary');
        const items = state.locationsOf(company.id).filter((l) => (!name || contains(l.name, name)) && !(ignorePrimary && l.primaryBusiness));
        return ok(listPage(req, items, (l) => locationView(state, l)));
      }),
    },
    {
      method: 'GET',
      path: '/consumer/v1/locations/:id',
      handler: secure((req, company) => {
        const id = pathId(req);
        return ok(locationView(state, found(state.location(company.id, id), 'Location', id)));
      }),
    },
    {
      method: 'GET',
      path: '/consumer/v1/services',
      handler: secure((req, company) => {
        const name = req.query.get('name');
        const serviceId = queryUuid(req, 'serviceId');
        const defaultService = queryBool(req, 'defaultService');
        const location = locationFilter(req, state, company);
        const items = state
          .servicesOf(company.id)
          .filter(
            (s) =>
              (!location || state.offeredAt(s, location.id)) &&
              (!name || contains(s.name, name)) &&
              (!serviceId || s.id === serviceId) &&
              (defaultService === null || s.defaultService === defaultService),
          );
        return ok(listPage(req, items, serviceView));
      }),
    },
    {
      method: 'GET',
      path: '/consumer/v1/services/:id',
      handler: secure((req, company) => {
        const id = pathId(req);
        return ok(serviceView(found(state.service(company.id, id), 'Service', id)));
      }),
    },
    {
      method: 'GET',
      path: '/consumer/v1/services/:id/resources',
      handler: secure((req, company) => {
        const id = pathId(req);
        const location = locationFilter(req, state, company);
        const service = found(state.service(company.id, id), 'Service', id);
        return ok(listPage(req, state.resourcesFor(service, location?.id ?? null), resourceView));
      }),
    },
    {
      method: 'GET',
      path: '/consumer/v1/resources',
      handler: secure((req, company) => {
        const name = req.query.get('name');
        const email = req.query.get('email');
        const location = locationFilter(req, state, company);
        const items = state
          .resourcesOf(company.id)
          .filter((r) => (!location || r.locationId === location.id) && (!name || contains(r.name, name)) && (!email || sameText(r.email, email)));
        return ok(listPage(req, items, resourceView));
      }),
    },
    {
      method: 'GET',
      path: '/consumer/v1/resources/:id',
      handler: secure((req, company) => {
        const id = pathId(req);
        return ok(resourceView(found(state.resource(company.id, id), 'Resource', id)));
      }),
    },
    {
      method: 'GET',
      path: '/consumer/v1/customers',
      handler: secure((req, company) => {
        const email = req.query.get('email');
        const lastname = req.query.get('lastname');
        const location = locationFilter(req, state, company);
        const items = state
          .customersOf(company.id)
          .filter((c) => (!location || c.locationId === location.id) && (!email || sameText(c.email, email)) && (!lastname || sameText(c.lastname, lastname)));
        return ok(listPage(req, items, customerView));
      }),
    },
    {
      method: 'GET',
      path: '/consumer/v1/customers/:id',
      handler: secure((req, company) => {
        const id = pathId(req);
        return ok(customerView(found(state.customer(company.id, id), 'Customer', id)));
      }),
    },
    {
      method: 'POST',
      path: '/consumer/v1/customers',
      handler: secure((req, company) => {
        const input = readCustomer(jsonBody(req));
        const location = input.locationId ? state.location(company.id, input.locationId) : state.primaryLocation(company.id);
        if (!location) fail(404, `Location ${input.locationId} not found`);
        if (state.customerByEmail(company.id, input.email)) fail(409, `A customer with email ${input.email} already exists`);
        const now = clock.now();
        const customer: Customer = {
          id: randomUUID(),
          companyId: company.id,
          locationId: (location as Location).id,
          type: input.type,
          firstname: input.firstname,
          lastname: input.lastname,
          name: input.name,
          email: input.email,
          contact: input.contact,
          notificationType: input.notificationType,
          createdMs: now,
          modifiedMs: now,
        };
        state.data.customers.push(customer);
        return ok(customerView(customer));
      }),
    },
  ];
}

/**
 * A `CustomerInputModel` body (§3.3): `type` 0 (default) needs `firstname`, `lastname`, `email`;
 * `type` 1 needs `name`, `email`. 400 on any problem.
 */
function readCustomer(body: Record<string, unknown>) {
  const type = body.type ?? 0;
  if (type !== 0 && type !== 1) fail(400, 'type must be 0 (person) or 1 (business)');
  const firstname = str(body, 'firstname')?.trim() || null;
  const lastname = str(body, 'lastname')?.trim() || null;
  const name = str(body, 'name')?.trim() || null;
  const email = str(body, 'email')?.trim() || null;
  const locationId = str(body, 'locationId');
  if (locationId !== null && !isUuid(locationId)) fail(400, 'locationId must be a UUID');
  const notificationType = str(body, 'notificationType') ?? '1';
  if (type === 0 && (!firstname || !lastname)) fail(400, 'firstname and lastname are required for a person (type 0)');
  if (type === 1 && !name) fail(400, 'name is required for a business (type 1)');
  if (!email) fail(400, 'email is required');
  if (!isEmail(email as string)) fail(400, 'email is not a valid e-mail address');
  const contact = { mobilePhone: null as string | null, homePhone: null as string | null, businessPhone: null as string | null };
  if (body.contact !== undefined && body.contact !== null) {
    if (typeof body.contact !== 'object' || Array.isArray(body.contact)) fail(400, 'contact must be an object');
    const c = body.contact as Record<string, unknown>;
    contact.mobilePhone = str(c, 'mobilePhone');
    contact.homePhone = str(c, 'homePhone');
    contact.businessPhone = str(c, 'businessPhone');
  }
  return {
    type: type as 0 | 1,
    firstname: type === 0 ? firstname : null,
    lastname: type === 0 ? lastname : null,
    name: type === 0 ? `${firstname} ${lastname}` : (name as string),
    email: email as string,
    locationId,
    notificationType,
    contact,
  };
}
