import type { Route } from '../framework/types.js';
import { withCaller } from './auth.js';
import { badObjectId, conflict, isEmail, isNonEmptyString, listPage, notFound, queryInt, readBody, readPaging, validation } from './http.js';
import type { Contact, ResourceType } from './model.js';
import type { DayScheduleState } from './state.js';
import { contactView, pageView, resourceDetailView, resourceView, userView } from './views.js';

/** Users, pages, resources and contacts of dayschedule.md §3.1–§3.3, scoped to the caller's organization. */

const RESOURCE_TYPES: readonly ResourceType[] = ['event', 'webinar', 'service'];

export function directoryRoutes(state: DayScheduleState): Route[] {
  return [
    {
      method: 'GET',
      path: '/v1/users',
      handler: withCaller(state, (req, caller) => {
        const errors: string[] = [];
        const paging = readPaging(req.query, errors);
        if (errors.length) return validation(errors);
        const users = state.data.users.filter((u) => u.org_id === caller.orgId);
        return listPage(users, paging, 'users', userView);
      }),
    },
    {
      method: 'GET',
      path: '/v1/pages',
      handler: withCaller(state, (req, caller) => {
        const errors: string[] = [];
        const paging = readPaging(req.query, errors);
        if (errors.length) return validation(errors);
        const pages = state.data.pages.filter((p) => p.org_id === caller.orgId);
        return listPage(pages, paging, 'pages', pageView);
      }),
    },
    {
      method: 'GET',
      path: '/v1/resources',
      handler: withCaller(state, (req, caller) => {
        const errors: string[] = [];
        const paging = readPaging(req.query, errors);
        const userId = queryInt(req.query, 'user_id', errors, { min: 1 });
        const type = req.query.get('type');
        if (type !== null && !RESOURCE_TYPES.includes(type as ResourceType)) {
          errors.push(`type must be one of the following values: ${RESOURCE_TYPES.join(', ')}`);
        }
        if (errors.length) return validation(errors);
        const resources = state.data.resources.filter(
          (r) => r.org_id === caller.orgId && (userId === undefined || r.hosts.includes(userId)) && (type === null || r.type === type),
        );
        return listPage(resources, paging, 'resources', resourceView);
      }),
    },
    {
      method: 'GET',
      path: '/v1/resources/:id',
      handler: withCaller(state, (req, caller) => {
        const bad = badObjectId('id', req.params.id);
        if (bad) return bad;
        const resource = state.resource(caller.orgId, req.params.id);
        return resource ? { status: 200, body: resourceDetailView(resource) } : notFound('Resource not found');
      }),
    },
    {
      method: 'GET',
      path: '/v1/contacts',
      handler: withCaller(state, (req, caller) => {
        const errors: string[] = [];
        const paging = readPaging(req.query, errors);
        const email = req.query.get('email');
        if (email !== null && !isEmail(email)) errors.push('email must be an email');
        if (errors.length) return validation(errors);
        const contacts = orgContacts(state, caller.orgId).filter((c) => email === null || c.email.toLowerCase() === email.toLowerCase());
        return listPage(contacts, paging, 'contacts', contactView);
      }),
    },
    {
      method: 'GET',
      path: '/v1/contacts/:contact_id',
      handler: withCaller(state, (req, caller) => {
        const bad = badObjectId('contact_id', req.params.contact_id);
        if (bad) return bad;
        const contact = state.data.contacts.find((c) => c.org_id === caller.orgId && c.contact_id === req.params.contact_id);
        return contact ? { status: 200, body: contactView(contact) } : notFound('Contact not found');
      }),
    },
    {
      method: 'POST',
      path: '/v1/contacts',
      handler: withCaller(state, (req, caller) => {
        const read = readBody(req);
        if (!read.ok) return read.response;
        const b = read.body;
        const errors: string[] = [];
        if (typeof b.name !== 'string') errors.push('name must be a string');
        else if (!isNonEmptyString(b.name)) errors.push('name should not be empty');
        if (!isEmail(b.email)) errors.push('email must be an email');
        for (const field of ['phone', 'company'] as const) {
          if (b[field] !== undefined && typeof b[field] !== 'string') errors.push(`${field} must be a string`);
        }
        if (b.tags !== undefined && (!Array.isArray(b.tags) || b.tags.some((t) => typeof t !== 'string'))) {
          errors.push('each value in tags must be a string');
        }
        if (b.custom_fields !== undefined && !Array.isArray(b.custom_fields)) errors.push('custom_fields must be an array');
        if (b.user_id !== undefined && !Number.isInteger(b.user_id)) errors.push('user_id must be an integer number');
        if (errors.length) return validation(errors);
        const userId = (b.user_id as number | undefined) ?? (state.org(caller.orgId)?.owner_user_id as number);
        if (!state.user(caller.orgId, userId)) return notFound('User not found');
        const email = (b.email as string).trim();
        if (findContactByEmail(state, caller.orgId, email)) return conflict('Contact with this email already exists');
        const contact = createContact(state, caller.orgId, {
          name: (b.name as string).trim(),
          email,
          user_id: userId,
          phone: (b.phone as string | undefined) ?? '',
          company: (b.company as string | undefined) ?? '',
          tags: (b.tags as string[] | undefined) ?? [],
          custom_fields: (b.custom_fields as unknown[] | undefined) ?? [],
        });
        return { status: 201, body: contactView(contact) };
      }),
    },
  ];
}

/** The organization's contacts, oldest first. */
function orgContacts(state: DayScheduleState, orgId: number): Contact[] {
  return state.data.contacts.filter((c) => c.org_id === orgId).sort((a, b) => a.created_at - b.created_at || a.contact_id.localeCompare(b.contact_id));
}

/** Emails are matched case-insensitively within one organization. */
export function findContactByEmail(state: DayScheduleState, orgId: number, email: string): Contact | undefined {
  const wanted = email.toLowerCase();
  return state.data.contacts.find((c) => c.org_id === orgId && c.email.toLowerCase() === wanted);
}

/** Stores a new contact stamped with the emulator clock. */
export function createContact(
  state: DayScheduleState,
  orgId: number,
  fields: Pick<Contact, 'name' | 'email' | 'user_id' | 'phone' | 'company' | 'tags' | 'custom_fields'>,
): Contact {
  const now = state.clock.now();
  const contact: Contact = {
    contact_id: state.newId(),
    org_id: orgId,
    source: 'dayschedule',
    hotness: 0,
    ...fields,
    created_at: now,
    updated_at: now,
  };
  state.data.contacts.push(contact);
  return contact;
}
