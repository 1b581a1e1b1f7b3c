import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { jwtExpiresAt, onschedCredentialsSchema } from '../../src/connectors/onsched/auth.js';
import { isKeyRejection } from '../../src/connectors/onsched/client.js';
import { settlesPage } from '../../src/connectors/onsched/queries.js';
import {
  bookingStatus,
  dateWindows,
  localDateBounds,
  parseScopedRef,
  platformStatusFilter,
  toBooking,
  toCustomer,
  toOnSchedDateTime,
  toOrganization,
  toService,
  toTimeSlots,
} from '../../src/connectors/onsched/mapping.js';
import { appointmentSchema, availabilitySchema, companySchema, customerSchema, serviceSchema } from '../../src/connectors/onsched/schemas.js';
import { BookingStatus } from '../../src/connectors/enums.js';

/** The contract's own example records (docs/platforms/onsched.md §3). */
const HARBOR = 'f8dc03c7-b8dc-43f6-9ae9-8c557b2e9013';
const company = companySchema.parse({
  object: 'company',
  id: HARBOR,
  name: 'Harbor Physio',
  email: 'admin@harborphysio.example',
  phone: '2125550100',
  addressLine1: '77 Water St',
  city: 'New York',
  state: 'NY',
  country: 'US',
  postalCode: '10005',
  timezoneName: 'America/New_York',
  timezoneId: 'Eastern Standard Time',
  registrationDate: '2024-04-02T14:00:00Z',
  deletedStatus: false,
  clientId: null,
  clientSecret: null,
  bookingWebhookUrl: null,
  webhookSignatureHash: null,
});
const service = serviceSchema.parse({
  object: 'service',
  id: '6f0e6c1a-3b1d-4c55-9a0b-2f7d2e5b8c11',
  companyId: HARBOR,
  locationId: null,
  name: 'Initial Assessment',
  description: '60-minute physiotherapy assessment',
  duration: 60,
  bookingInterval: 30,
  feeAmount: 95.0,
  defaultService: true,
  maxCapacity: 1,
  showOnline: true,
  serviceGroupId: null,
});
const customer = customerSchema.parse({
  object: 'customer',
  id: '7a51c2d8-0e34-4f6b-9c1a-58d2e7b3f904',
  locationId: 'a90e952a-4641-446b-a61a-eb684eab84c5',
  firstname: 'José',
  lastname: 'Núñez',
  name: 'José Núñez',
  email: 'jose.nunez@example.com',
  contact: { mobilePhone: '6465550173', homePhone: null, businessPhone: null },
  notificationType: '1',
  deletedStatus: false,
  createdOn: '2025-01-20T15:36:54Z',
  modifiedOn: '2025-02-03T18:44:01Z',
});
const appointmentJson = {
  object: 'appointment',
  id: 'c2b7e9f1-5d3a-4e88-a1c6-0f9d3b2e7a45',
  status: 'BK',
  confirmed: false,
  date: '2025-03-11',
  time: 1000,
  startDateTime: '2025-03-11T10:00:00-04:00',
  endDateTime: '2025-03-11T11:00:00-04:00',
  duration: 60,
  timezoneIana: 'America/New_York',
  locationId: 'a90e952a-4641-446b-a61a-eb684eab84c5',
  businessName: 'Harbor Physio – Manhattan',
  serviceId: '6f0e6c1a-3b1d-4c55-9a0b-2f7d2e5b8c11',
  serviceName: 'Initial Assessment',
  resourceId: '3d9b2f4e-8a71-4c0e-b5d2-7e1f9a6c4b20',
  resourceName: 'Dr. Priya Nair',
  customerId: '7a51c2d8-0e34-4f6b-9c1a-58d2e7b3f904',
  name: 'José Núñez',
  firstname: 'José',
  lastname: 'Núñez',
  email: 'jose.nunez@example.com',
  phone: '6465550173',
  notes: '',
  confirmationNumber: 'HP-100243',
  bookedBy: 'jose.nunez@example.com',
  onlineBooking: true,
  rescheduledId: null,
  customFields: {},
  auditTrail: [],
  createDate: '2025-03-01T15:12:00-05:00',
  lastModifiedOn: '2025-03-01T15:12:00-05:00',
};
const appointment = appointmentSchema.parse(appointmentJson);
const availability = availabilitySchema.parse({
  object: 'availability',
  serviceId: '6f0e6c1a-3b1d-4c55-9a0b-2f7d2e5b8c11',
  serviceName: 'Initial Assessment',
  serviceDuration: 60,
  locationId: 'a90e952a-4641-446b-a61a-eb684eab84c5',
  startDate: '2025-03-12',
  endDate: '2025-03-12',
  timezoneName: 'America/New_York',
  firstAvailableDate: '2025-03-12',
  availableDays: [],
  availableTimes: [
    {
      date: '2025-03-12',
      time: 900,
      displayTime: '9:00am',
      startDateTime: '2025-03-12T09:00:00-04:00',
      endDateTime: '2025-03-12T10:00:00-04:00',
      duration: 60,
      resourceId: '3d9b2f4e-8a71-4c0e-b5d2-7e1f9a6c4b20',
      availableBookings: 1,
      availableCapacity: 1,
      allowableBookings: 1,
      allowableCapacity: 1,
    },
  ],
});
const BEFORE = Date.parse('2025-03-01T00:00:00Z');
const AFTER = Date.parse('2025-04-01T00:00:00Z');

describe('OnSched mapping (contract §6, the contract’s example records)', () => {
  it('maps a company to an organization with its IANA zone', () => {
    expect(toOrganization(company)).toEqual({ ref: HARBOR, nativeId: HARBOR, name: 'Harbor Physio', timezone: 'America/New_York', raw: company });
  });

  it('maps a service, with a price only when the connection has a currency', () => {
    const s = toService(service, HARBOR, null);
    expect(s).toMatchObject({
      ref: `${HARBOR}:${service.id}`,
      nativeId: service.id,
      organizationRef: HARBOR,
      name: 'Initial Assessment',
      description: '60-minute physiotherapy assessment',
      durationMinutes: 60,
      price: null,
    });
    expect(toService(service, HARBOR, 'USD').price).toEqual({ amount: 95, currency: 'USD' });
  });

  it('maps a customer, the phone from mobile, then home, then business', () => {
    expect(toCustomer(customer, HARBOR)).toMatchObject({
      ref: `${HARBOR}:${customer.id}`,
      organizationRef: HARBOR,
      firstName: 'José',
      lastName: 'Núñez',
      email: 'jose.nunez@example.com',
      phone: '6465550173',
    });
    const home = customerSchema.parse({ ...customer, contact: { mobilePhone: null, homePhone: '1', businessPhone: '2' } });
    expect(toCustomer(home, HARBOR).phone).toBe('1');
    const business = customerSchema.parse({ ...customer, contact: { mobilePhone: '', homePhone: null, businessPhone: '2' } });
    expect(toCustomer(business, HARBOR).phone).toBe('2');
  });

  it('maps an appointment to a booking in UTC with refs folded into the company', () => {
    const b = toBooking(appointment, HARBOR, BEFORE);
    expect(b).toMatchObject({
      ref: `${HARBOR}:${appointment.id}`,
      nativeId: appointment.id,
      organizationRef: HARBOR,
      status: BookingStatus.CONFIRMED,
      timezone: 'America/New_York',
      serviceRef: `${HARBOR}:6f0e6c1a-3b1d-4c55-9a0b-2f7d2e5b8c11`,
      customerRef: `${HARBOR}:7a51c2d8-0e34-4f6b-9c1a-58d2e7b3f904`,
    });
    expect(b?.startsAt.toISOString()).toBe('2025-03-11T14:00:00.000Z');
    expect(b?.endsAt.toISOString()).toBe('2025-03-11T15:00:00.000Z');
    expect(b?.createdAt?.toISOString()).toBe('2025-03-01T20:12:00.000Z');
    expect(b?.updatedAt?.toISOString()).toBe('2025-03-01T20:12:00.000Z');
    expect(b?.raw).toBe(appointment);
  });

  it('maps every status; holds and reschedule placeholders are not bookings', () => {
    const end = Date.parse('2025-03-11T15:00:00Z');
    expect(bookingStatus('BK', end, end - 1)).toBe(BookingStatus.CONFIRMED);
    expect(bookingStatus('BK', end, end)).toBe(BookingStatus.COMPLETED);
    expect(bookingStatus('RS', end, AFTER)).toBe(BookingStatus.PENDING);
    expect(bookingStatus('CN', end, AFTER)).toBe(BookingStatus.CANCELED);
    expect(bookingStatus('NS', end, AFTER)).toBe(BookingStatus.NO_SHOW);
    for (const code of ['IN', 'HD', 'RE', 'XX']) expect(bookingStatus(code, end, AFTER)).toBeNull();
    expect(toBooking(appointmentSchema.parse({ ...appointmentJson, status: 'RE' }), HARBOR, BEFORE)).toBeNull();
    expect(toBooking(appointment, HARBOR, AFTER)?.status).toBe(BookingStatus.COMPLETED);
  });

  it('merges available times into slots inside the range', () => {
    const second = { ...availability.availableTimes[0], resourceId: 'other' };
    const slots = toTimeSlots([...availability.availableTimes, second], `${HARBOR}:${service.id}`, BEFORE, AFTER);
    expect(slots).toEqual([
      {
        startsAt: new Date('2025-03-12T13:00:00Z'),
        endsAt: new Date('2025-03-12T14:00:00Z'),
        serviceRef: `${HARBOR}:${service.id}`,
        available: 2,
      },
    ]);
    expect(toTimeSlots(availability.availableTimes, 'x', Date.parse('2025-03-12T13:00:01Z'), AFTER)).toEqual([]);
  });

  it('rejects a malformed appointment at the boundary', () => {
    expect(appointmentSchema.safeParse({ ...appointmentJson, startDateTime: '2025-03-11 10:00' }).success).toBe(false);
    expect(appointmentSchema.safeParse({ ...appointmentJson, id: undefined }).success).toBe(false);
  });
});

describe('OnSched pure helpers', () => {
  it('folds and unfolds refs', () => {
    expect(parseScopedRef(`${HARBOR}:abc`)).toEqual({ companyId: HARBOR, id: 'abc' });
    for (const bad of ['abc', ':abc', 'abc:', 'a:b:c']) expect(parseScopedRef(bad)).toBeNull();
  });

  it('widens local-date bounds by a day and splits availability into 31-day windows', () => {
    expect(localDateBounds(new Date('2025-03-11T02:00:00Z'), new Date('2025-03-12T23:00:00Z'))).toEqual({
      startDate: '2025-03-10',
      endDate: '2025-03-13',
    });
    expect(localDateBounds(undefined, undefined)).toEqual({ startDate: undefined, endDate: undefined });
    const windows = dateWindows(Date.parse('2025-03-01T00:00:00Z'), Date.parse('2025-05-01T00:00:00Z'), 31);
    expect(windows).toEqual([
      { startDate: '2025-02-28', endDate: '2025-03-30' },
      { startDate: '2025-03-31', endDate: '2025-04-30' },
      { startDate: '2025-05-01', endDate: '2025-05-02' },
    ]);
  });

  it('filters on the platform only when the statuses need one code', () => {
    expect(platformStatusFilter(['CONFIRMED', 'COMPLETED'])).toBe('BK');
    expect(platformStatusFilter(['CANCELED'])).toBe('CN');
    expect(platformStatusFilter(['CANCELED', 'PENDING'])).toBeUndefined();
    expect(platformStatusFilter([])).toBeUndefined();
  });

  it('formats instants the way OnSched takes them', () => {
    expect(toOnSchedDateTime(new Date('2025-03-11T14:00:00.000Z'))).toBe('2025-03-11T14:00:00Z');
  });

  it('reads the expiry from the JWT exp, never later than its lifetime counted from the request', async () => {
    const key = new TextEncoder().encode('k'.repeat(32));
    const iat = 1_741_685_400;
    const jwt = await new SignJWT({ iat, exp: iat + 3_600 }).setProtectedHeader({ alg: 'HS256' }).sign(key);
    expect(jwtExpiresAt(jwt, iat * 1000)).toBe((iat + 3_600) * 1000);
    // Our clock behind the platform's by 10 minutes: the lifetime counted from the request wins.
    expect(jwtExpiresAt(jwt, (iat - 600) * 1000)).toBe((iat - 600 + 3_600) * 1000);
    const noExp = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).sign(key);
    expect(() => jwtExpiresAt(noExp, 0)).toThrow(/exp/);
    expect(() => jwtExpiresAt('not-a-jwt', 0)).toThrow(/JWT/);
  });

  it('tells a refused company key from a refused access token', () => {
    const res = (headers: Record<string, string>) => ({ status: 401, headers: new Headers(headers), text: '{}' });
    expect(isKeyRejection(res({}))).toBe(true);
    expect(isKeyRejection(res({ 'www-authenticate': 'Bearer error="invalid_token"' }))).toBe(false);
    expect(isKeyRejection(res({ 'www-authenticate': 'Bearer' }))).toBe(false);
  });

  it('parses credentials: keys deduplicated, currency upper-cased', () => {
    expect(onschedCredentialsSchema.parse({ refreshToken: 'r', companyApiKeys: ['a', 'a', 'b'], currency: 'usd' })).toEqual({
      refreshToken: 'r',
      companyApiKeys: ['a', 'b'],
      currency: 'USD',
    });
    expect(onschedCredentialsSchema.safeParse({ refreshToken: 'r', companyApiKeys: [] }).success).toBe(false);
    expect(onschedCredentialsSchema.safeParse({ refreshToken: '', companyApiKeys: ['a'] }).success).toBe(false);
  });

  it('stops paging once later pages cannot change the first bookings', () => {
    const at = (h: number, status = 'BK') =>
      appointmentSchema.parse({
        ...appointmentJson,
        id: `id-${h}`,
        status,
        startDateTime: `2025-03-11T${String(h).padStart(2, '0')}:00:00Z`,
        endDateTime: `2025-03-11T${String(h).padStart(2, '0')}:30:00Z`,
      });
    const q = { limit: 2 };
    expect(settlesPage([at(9), at(10), at(11)], HARBOR, q, BEFORE)).toBe(true);
    expect(settlesPage([at(9), at(10)], HARBOR, q, BEFORE)).toBe(false);
    expect(settlesPage([at(9), at(10, 'IN'), at(11)], HARBOR, q, BEFORE)).toBe(false);
    expect(settlesPage([at(10), at(9), at(11)], HARBOR, q, BEFORE)).toBe(false);
  });
});
