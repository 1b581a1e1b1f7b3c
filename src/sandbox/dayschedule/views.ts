import { type Booking, type Contact, type Invitee, type Page, type Resource, type User, iso } from './model.js';
import type { DayScheduleState } from './state.js';

/** JSON shapes of dayschedule.md §3: what the API answers for each stored record. */

export function userView(u: User) {
  return {
    user_id: u.user_id,
    org_id: u.org_id,
    name: u.name,
    email: u.email,
    phone: u.phone,
    role: u.role,
    status: u.status,
    time_zone: u.time_zone,
    page_id: u.page_id,
    booking_url: u.booking_url,
    availability: u.availability.map((a) => ({ day: a.day, times: a.times.map((t) => ({ ...t })), is_available: a.is_available })),
  };
}

export function pageView(p: Page) {
  return {
    page_id: p.page_id,
    org_id: p.org_id,
    user_id: p.user_id,
    name: p.name,
    domain: p.domain,
    is_default: p.is_default,
    is_published: p.is_published,
    created_at: iso(p.created_at),
    updated_at: iso(p.updated_at),
  };
}

/** A `GET /v1/resources` item (§3.2). */
export function resourceView(r: Resource) {
  return {
    id: r.id,
    org_id: r.org_id,
    page_id: r.page_id,
    user_id: r.user_id,
    name: r.name,
    slug: r.slug,
    type: r.type,
    schedule_id: r.schedule_id,
    description: r.description,
    is_enabled: r.is_enabled,
    durations: r.durations.map((d) => ({ ...d })),
    prices: r.prices.map((p) => ({ ...p })),
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}

/** `GET /v1/resources/{id}`: the list item plus `event_type`, `capacity`, `locations`, `questions`, `settings`. */
export function resourceDetailView(r: Resource) {
  const { created_at, updated_at, ...base } = resourceView(r);
  return {
    ...base,
    event_type: r.event_type,
    capacity: r.capacity,
    locations: r.locations.map((l) => ({ ...l })),
    questions: r.questions.map((q) => ({ ...q })),
    settings: { requires_approval: r.requires_approval, color: r.color },
    created_at,
    updated_at,
  };
}

export function contactView(c: Contact) {
  return {
    contact_id: c.contact_id,
    org_id: c.org_id,
    user_id: c.user_id,
    name: c.name,
    email: c.email,
    phone: c.phone,
    company: c.company,
    source: c.source,
    hotness: c.hotness,
    tags: [...c.tags],
    custom_fields: structuredClone(c.custom_fields),
    created_at: iso(c.created_at),
    updated_at: iso(c.updated_at),
  };
}

const attendeeStatus = { confirmed: 'accepted', pending: 'needsAction', canceled: 'declined' } as const;

/** A `GET /v1/bookings` item (§3.4). */
export function bookingView(state: DayScheduleState, b: Booking) {
  const resource = state.resource(b.org_id, b.resource_id);
  const host = state.user(b.org_id, b.host_user_id);
  return {
    booking_id: b.booking_id,
    org_id: b.org_id,
    ical_uid: `${b.booking_id}@ical.dayschedule.com`,
    source: b.source,
    resource: {
      resource_id: b.resource_id,
      type: resource?.type ?? 'event',
      event_type: resource?.event_type ?? 'one_on_one',
      name: resource?.name ?? '',
      slug: resource?.slug ?? '',
    },
    host: { user_id: b.host_user_id, name: host?.name ?? '', email: host?.email ?? '', time_zone: host?.time_zone ?? '' },
    subject: b.subject,
    start_at: iso(b.start_at),
    end_at: iso(b.end_at),
    duration: { ...b.duration },
    time_zone: b.time_zone,
    status: b.status,
    color: b.color,
    location: { ...b.location },
    attendees: b.invitees.map((i) => ({ email: i.email, name: i.name, organizer: false, status: attendeeStatus[i.status] })),
    description: b.description,
    canceled_at: b.canceled_at === null ? null : iso(b.canceled_at),
    cancel_reason: b.cancel_reason,
    canceled_by: b.canceled_by,
    ...(b.reschedule
      ? {
          reschedule: {
            previous_start_at: iso(b.reschedule.previous_start_at),
            previous_end_at: iso(b.reschedule.previous_end_at),
            rescheduled_at: iso(b.reschedule.rescheduled_at),
            rescheduled_by: b.reschedule.rescheduled_by,
          },
        }
      : {}),
    created_at: iso(b.created_at),
    updated_at: iso(b.updated_at),
  };
}

export function inviteeView(i: Invitee) {
  return {
    invitee_id: i.invitee_id,
    booking_id: i.booking_id,
    name: i.name,
    email: i.email,
    guests: [...i.guests],
    status: i.status,
    time_zone: i.time_zone,
    token: i.token,
    questions: structuredClone(i.questions),
    created_at: iso(i.created_at),
    updated_at: iso(i.updated_at),
  };
}

/** `GET /v1/bookings/{id}` (and create/update answers): the item plus `logs[]` and `invitees[]`. */
export function bookingDetailView(state: DayScheduleState, b: Booking) {
  return { ...bookingView(state, b), logs: [...b.logs], invitees: b.invitees.map(inviteeView) };
}
