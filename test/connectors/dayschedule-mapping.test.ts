import { describe, expect, it } from 'vitest';
import { buildAuthorizeUrl } from '../../src/connectors/dayschedule/auth.js';
import { describeError } from '../../src/connectors/dayschedule/client.js';
import { dayschedule } from '../../src/connectors/dayschedule/index.js';
import {
  bookingStatus,
  eventTypeOf,
  firstInviteeEmail,
  joinName,
  nativeStatuses,
  splitName,
  toBooking,
  toCustomer,
  toOrganization,
  toService,
  toTimeSlots,
} from '../../src/connectors/dayschedule/mapping.js';
import { bookingSchema, contactSchema, pageSchema, resourceSchema, userSchema } from '../../src/connectors/dayschedule/schemas.js';
import { BookingStatus } from '../../src/connectors/enums.js';

// The contract's own example records (dayschedule.md §3), parsed like the client parses them.
const user = userSchema.parse({
  user_id: 3241,
  org_id: 1117,
  name: 'Asha Raman',
  email: 'asha@sunrise-yoga.example',
  phone: '+91 98450 11223',
  role: 'Owner',
  status: 'active',
  time_zone: 'Asia/Kolkata',
  page_id: 1000,
  booking_url: 'sunrise-yoga.dayschedule.com',
  availability: [{ day: 'MON', times: [{ start: '09:00', end: '18:00' }], is_available: true }],
});
const page = pageSchema.parse({
  page_id: 1000,
  org_id: 1117,
  user_id: 3241,
  name: 'Sunrise Yoga Studio',
  domain: 'sunrise-yoga.dayschedule.com',
  is_default: true,
  is_published: true,
  created_at: '2024-11-02T05:10:00.000Z',
  updated_at: '2025-01-15T08:00:00.000Z',
});
const resource = resourceSchema.parse({
  id: '66f1a0c2b7e4d15a9c3e8b21',
  org_id: 1117,
  page_id: 1000,
  user_id: 3241,
  name: 'Private Yoga Session',
  slug: '/private-yoga',
  type: 'event',
  event_type: 'one_on_one',
  schedule_id: 39127,
  description: '60-minute 1:1 class',
  is_enabled: true,
  durations: [{ type: 'minutes', value: 60 }],
  prices: [{ name: 'Standard', duration: '60m', amount: 1500, currency: 'INR' }],
  created_at: '2024-11-02T05:12:00.000Z',
  updated_at: '2025-01-10T10:00:00.000Z',
});
const contact = contactSchema.parse({
  contact_id: '66f1a3d09e2b4c7a81f05d34',
  org_id: 1117,
  user_id: 3241,
  name: 'Zoë Müller',
  email: 'zoe.mueller@example.com',
  phone: '+49 151 2345678',
  company: '',
  source: 'dayschedule',
  hotness: 3,
  tags: [],
  custom_fields: [],
  created_at: '2025-01-20T06:36:54.664Z',
  updated_at: '2025-02-03T09:44:01.547Z',
});
const bookingJson = {
  booking_id: '67a2f1c4e9d2ba9959f91ca3',
  org_id: 1117,
  ical_uid: '67a2f1c4e9d2ba9959f91ca3@ical.dayschedule.com',
  source: 'dayschedule',
  resource: { resource_id: '66f1a0c2b7e4d15a9c3e8b21', type: 'event', event_type: 'one_on_one', name: 'Private Yoga Session', slug: '/private-yoga' },
  host: { user_id: 3241, name: 'Asha Raman', email: 'asha@sunrise-yoga.example', time_zone: 'Asia/Kolkata' },
  subject: 'Zoë Müller and Asha Raman: Private Yoga Session',
  start_at: '2025-03-11T04:30:00.000Z',
  end_at: '2025-03-11T05:30:00.000Z',
  duration: { type: 'minutes', value: 60 },
  time_zone: 'Europe/Berlin',
  status: 'confirmed',
  color: '#039be5',
  location: { type: 'google_meet', name: 'Google Meet', join_url: 'https://meet.google.com/yii-dyph-cge' },
  attendees: [{ email: 'Zoe.Mueller@example.com', name: 'Zoë Müller', organizer: false, status: 'accepted' }],
  description: '',
  canceled_at: null,
  cancel_reason: null,
  canceled_by: null,
  created_at: '2025-03-01T06:15:35.358Z',
  updated_at: '2025-03-01T06:15:40.572Z',
};
const booking = bookingSchema.parse(bookingJson);
const END = Date.parse('2025-03-11T05:30:00.000Z');

describe('dayschedule mapping (contract §6)', () => {
  it('builds the organization from the default page and the Owner user', () => {
    const org = toOrganization(1117, [page, { ...page, page_id: 1001, name: 'Vikram Nair', is_default: false }], [user]);
    expect(org).toMatchObject({ ref: '1117', nativeId: '1117', name: 'Sunrise Yoga Studio', timezone: 'Asia/Kolkata' });
    expect(org.raw).toEqual({ org_id: 1117, page, owner: user });
    // No default page: the owner's name; no owner: no time zone.
    expect(toOrganization(1117, [], [user]).name).toBe('Asha Raman');
    expect(toOrganization(1117, [page], [{ ...user, role: 'Member' }]).timezone).toBeNull();
  });

  it('maps a resource to a service: first duration (hours × 60) and first price', () => {
    expect(toService(resource)).toMatchObject({
      ref: '66f1a0c2b7e4d15a9c3e8b21',
      organizationRef: '1117',
      name: 'Private Yoga Session',
      description: '60-minute 1:1 class',
      durationMinutes: 60,
      price: { amount: 1500, currency: 'INR' },
    });
    const webinar = toService({ ...resource, durations: [{ type: 'hours', value: 1.5 }], prices: [], description: '' });
    expect(webinar).toMatchObject({ durationMinutes: 90, price: null, description: null });
  });

  it('splits a contact name on the first space and joins it back for writes', () => {
    expect(toCustomer(contact)).toMatchObject({
      ref: '66f1a3d09e2b4c7a81f05d34',
      organizationRef: '1117',
      firstName: 'Zoë',
      lastName: 'Müller',
      email: 'zoe.mueller@example.com',
      phone: '+49 151 2345678',
    });
    expect(splitName('José Núñez García')).toEqual({ firstName: 'José', lastName: 'Núñez García' });
    expect(splitName('Śrīdhar')).toEqual({ firstName: 'Śrīdhar', lastName: null });
    expect(splitName('  ')).toEqual({ firstName: null, lastName: null });
    expect(joinName(' Zoë ', 'Müller')).toBe('Zoë Müller');
  });

  it('maps every booking status, COMPLETED once a confirmed booking has ended', () => {
    expect(bookingStatus('confirmed', END, END - 1)).toBe(BookingStatus.CONFIRMED);
    expect(bookingStatus('confirmed', END, END)).toBe(BookingStatus.COMPLETED);
    expect(bookingStatus('pending', END, END + 1)).toBe(BookingStatus.PENDING);
    expect(bookingStatus('canceled', END, END + 1)).toBe(BookingStatus.CANCELED);
    expect(nativeStatuses(undefined)).toBeUndefined();
    expect(nativeStatuses([BookingStatus.COMPLETED, BookingStatus.CONFIRMED])).toEqual(['confirmed']);
    expect(nativeStatuses([BookingStatus.NO_SHOW])).toEqual([]);
    expect(nativeStatuses([BookingStatus.PENDING, BookingStatus.CANCELED])).toEqual(['pending', 'canceled']);
  });

  it('maps a booking: times, zone, service from resource_id, customer ref given, raw untouched', () => {
    const b = toBooking(booking, END - 60_000, 'contact-1');
    expect(b).toMatchObject({
      ref: '67a2f1c4e9d2ba9959f91ca3',
      nativeId: '67a2f1c4e9d2ba9959f91ca3',
      organizationRef: '1117',
      status: BookingStatus.CONFIRMED,
      timezone: 'Europe/Berlin',
      serviceRef: '66f1a0c2b7e4d15a9c3e8b21',
      customerRef: 'contact-1',
    });
    expect(b.startsAt.toISOString()).toBe('2025-03-11T04:30:00.000Z');
    expect(b.endsAt.toISOString()).toBe('2025-03-11T05:30:00.000Z');
    expect(b.createdAt?.toISOString()).toBe('2025-03-01T06:15:35.358Z');
    expect(b.raw).toEqual(bookingJson);
    // The first invitee's e-mail links the customer: detail `invitees[]` first, else list `attendees[]`.
    expect(firstInviteeEmail(booking)).toBe('zoe.mueller@example.com');
    expect(firstInviteeEmail({ ...booking, invitees: [{ name: 'X', email: 'x@example.com' }] })).toBe('x@example.com');
    expect(firstInviteeEmail({ ...booking, attendees: [] })).toBeNull();
  });

  it('maps available hours to slots ending at time + duration', () => {
    const slots = toTimeSlots(
      {
        slots: [
          {
            date: '2025-03-12',
            hours: [
              { time: '2025-03-12T09:00:00+05:30', available: 1 },
              { time: '2025-03-12T10:00:00+05:30', available: 0 },
            ],
          },
        ],
        duration: 60,
      },
      'svc',
      null,
    );
    expect(slots).toEqual([{ startsAt: new Date('2025-03-12T03:30:00.000Z'), endsAt: new Date('2025-03-12T04:30:00.000Z'), serviceRef: 'svc', available: 1 }]);
  });

  it('maps the five triggers to unified events and declares them NATIVE', () => {
    expect(['event_scheduled', 'event_canceled', 'before_event', 'event_start', 'event_end'].map(eventTypeOf)).toEqual([
      'BOOKING_CREATED',
      'BOOKING_CANCELED',
      'BOOKING_STARTING_SOON',
      'BOOKING_STARTED',
      'BOOKING_ENDED',
    ]);
    expect(eventTypeOf('invitee_no_show')).toBeNull();
  });

  it('reads the platform message from string and array error bodies', () => {
    expect(describeError('{"statusCode":409,"message":"Selected slot is not available","error":"Conflict"}')).toBe('Selected slot is not available');
    expect(describeError('{"statusCode":400,"message":["a must be b","c must be d"],"error":"Bad Request"}')).toBe('a must be b; c must be d');
  });

  it('asks for consent with client_id, redirect_uri, response_type=code and state only (no PKCE, no scope)', () => {
    expect(dayschedule.module.oauth?.pkce).toBe(false);
    const u = new URL(buildAuthorizeUrl('https://api.dayschedule.com', 'ds_x', { state: 's t', redirectUri: 'https://gw.example/oauth/callback/dayschedule' }));
    expect(u.origin + u.pathname).toBe('https://api.dayschedule.com/v1/oauth2/authorize');
    expect(Object.fromEntries(u.searchParams)).toEqual({
      client_id: 'ds_x',
      redirect_uri: 'https://gw.example/oauth/callback/dayschedule',
      response_type: 'code',
      state: 's t',
    });
    expect(dayschedule.module.parseCredentials({})).toEqual({});
  });
});
