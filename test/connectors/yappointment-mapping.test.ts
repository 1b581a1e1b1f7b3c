import { describe, expect, it } from 'vitest';
import { BookingStatus } from '../../src/connectors/enums.js';
import { oauthError } from '../../src/tokens/token-answer.js';
import { buildAuthorizeUrl, tokenSetFrom } from '../../src/connectors/yappointment/auth.js';
import { describeError, missingScope } from '../../src/connectors/yappointment/client.js';
import { bookingFilter, pageSettled } from '../../src/connectors/yappointment/queries.js';
import { bookingStatus, nativeStatuses, toBooking, toCustomer, toOrganization, toService, toTimeSlots } from '../../src/connectors/yappointment/mapping.js';
import { yappointmentProvider } from '../../src/connectors/yappointment/provider.js';
import { bookingSchema, companySchema, customerSchema, serviceSchema, slotSchema, tokenAnswerSchema } from '../../src/connectors/yappointment/schemas.js';

// The platform's own example records (contract §3.1–§3.5).
const company = {
  _id: '3f61a8f9577777ef06019705',
  name: 'Test Salon',
  email: 'hello@testsalon.example',
  phone: '+12125550100',
  address: '123 Main St, New York, NY 10001',
  timezone: 'America/New_York',
  currency: 'USD',
  createdAt: '2024-01-15T10:30:00Z',
};
const service = {
  id: 'srv_100000456',
  name: 'Hair Consultation',
  description: 'Style advice and trim',
  duration: 60,
  price: 45,
  currency: 'USD',
  active: true,
  requiresApproval: false,
  employeeIds: ['emp_100000007'],
  createdAt: '2024-02-01T09:00:00Z',
  updatedAt: '2025-01-05T12:00:00Z',
};
const customer = {
  id: 'cust_100000123',
  firstName: 'John',
  lastName: 'Doe',
  name: 'John Doe',
  email: 'john@example.com',
  phone: '+12125550142',
  timezone: 'America/New_York',
  createdAt: '2024-03-02T15:00:00Z',
  updatedAt: '2025-02-11T08:20:00Z',
};
const booking = {
  id: 'bkg_987654321',
  companyId: '3f61a8f9577777ef06019705',
  customerId: 'cust_100000123',
  serviceId: 'srv_100000456',
  employeeId: 'emp_100000007',
  customerName: 'John Doe',
  customerEmail: 'john@example.com',
  serviceName: 'Hair Consultation',
  employeeName: 'Maria Lopez',
  start: '2025-04-20T14:00:00Z',
  end: '2025-04-20T15:00:00Z',
  timezone: 'America/New_York',
  status: 'confirmed',
  price: 45,
  currency: 'USD',
  notes: '',
  cancelledAt: null,
  cancellationReason: null,
  createdAt: '2025-04-02T18:12:00Z',
  updatedAt: '2025-04-02T18:12:00Z',
};

describe('yAppointment mapping (contract §6)', () => {
  it('maps the company, service and customer examples, keeping the raw records', () => {
    const org = toOrganization(companySchema.parse(company));
    expect(org).toMatchObject({ ref: company._id, nativeId: company._id, name: 'Test Salon', timezone: 'America/New_York' });
    expect(org.raw).toEqual(company);

    const s = toService(serviceSchema.parse(service), company._id);
    expect(s).toMatchObject({
      ref: 'srv_100000456',
      organizationRef: company._id,
      name: 'Hair Consultation',
      description: 'Style advice and trim',
      durationMinutes: 60,
      price: { amount: 45, currency: 'USD' },
    });
    expect(s.raw).toEqual(service);

    const c = toCustomer(customerSchema.parse(customer), company._id);
    expect(c).toMatchObject({ ref: 'cust_100000123', firstName: 'John', lastName: 'Doe', email: 'john@example.com', phone: '+12125550142' });
    expect(toCustomer(customerSchema.parse({ id: 'cust_1', firstName: '', phone: null }), company._id)).toMatchObject({
      firstName: null,
      phone: null,
      email: null,
    });
  });

  it('maps the booking example with dates, links and its raw record', () => {
    const b = toBooking(bookingSchema.parse(booking), 'ignored');
    expect(b).toEqual({
      ref: 'bkg_987654321',
      nativeId: 'bkg_987654321',
      organizationRef: company._id,
      status: BookingStatus.CONFIRMED,
      startsAt: new Date('2025-04-20T14:00:00Z'),
      endsAt: new Date('2025-04-20T15:00:00Z'),
      timezone: 'America/New_York',
      serviceRef: 'srv_100000456',
      customerRef: 'cust_100000123',
      createdAt: new Date('2025-04-02T18:12:00Z'),
      updatedAt: new Date('2025-04-02T18:12:00Z'),
      raw: booking,
    });
  });

  it('maps every native status explicitly, `cancelled` included, and back', () => {
    expect(bookingStatus('confirmed')).toBe(BookingStatus.CONFIRMED);
    expect(bookingStatus('pending')).toBe(BookingStatus.PENDING);
    expect(bookingStatus('cancelled')).toBe(BookingStatus.CANCELED);
    expect(bookingStatus('completed')).toBe(BookingStatus.COMPLETED);
    expect(bookingStatus('no_show')).toBe(BookingStatus.NO_SHOW);
    // A confirmed booking in the past stays CONFIRMED: the platform has an explicit completed state.
    expect(toBooking(bookingSchema.parse({ ...booking, start: '2001-01-01T10:00:00Z', end: '2001-01-01T11:00:00Z' }), company._id).status).toBe(
      BookingStatus.CONFIRMED,
    );
    expect(nativeStatuses([BookingStatus.CANCELED, BookingStatus.NO_SHOW])).toEqual(['cancelled', 'no_show']);
    expect(nativeStatuses(Object.values(BookingStatus))).toHaveLength(5);
  });

  it('refuses a status the contract does not list (a typed parse failure, not a guess)', () => {
    expect(bookingSchema.safeParse({ ...booking, status: 'canceled' }).success).toBe(false);
  });

  it('merges slots of several employees at one time into one TimeSlot counting them', () => {
    const slots = [
      { start: '2025-04-21T13:15:00Z', end: '2025-04-21T14:15:00Z', employeeId: 'emp_1', available: true },
      { start: '2025-04-21T13:00:00Z', end: '2025-04-21T14:00:00Z', employeeId: 'emp_1', available: true },
      { start: '2025-04-21T13:00:00Z', end: '2025-04-21T14:00:00Z', employeeId: 'emp_2', available: true },
    ].map((s) => slotSchema.parse(s));
    expect(toTimeSlots(slots, 'srv_1')).toEqual([
      { startsAt: new Date('2025-04-21T13:00:00Z'), endsAt: new Date('2025-04-21T14:00:00Z'), serviceRef: 'srv_1', available: 2 },
      { startsAt: new Date('2025-04-21T13:15:00Z'), endsAt: new Date('2025-04-21T14:15:00Z'), serviceRef: 'srv_1', available: 1 },
    ]);
  });
});

describe('yAppointment list decisions', () => {
  const base = { limit: 10 };

  it('builds the bookings filter body from a query (from = the later lower bound, inclusive)', () => {
    const after = { startsAt: new Date('2025-04-20T14:00:00Z'), ref: 'bkg_000000005' };
    expect(
      bookingFilter(
        {
          ...base,
          startsAfter: new Date('2025-04-01T00:00:00Z'),
          startsBefore: new Date('2025-05-01T00:00:00Z'),
          after,
          statuses: [BookingStatus.CANCELED],
          customerRef: 'cust_1',
        },
        company._id,
      ),
    ).toEqual({ from: '2025-04-20T14:00:00.000Z', to: '2025-05-01T00:00:00.000Z', status: ['cancelled'], customerId: 'cust_1' });
    expect(bookingFilter({ ...base }, company._id)).toEqual({});
    expect(bookingFilter({ ...base, organizationRef: 'another' }, company._id)).toBeNull();
    expect(bookingFilter({ ...base, statuses: [] }, company._id)).toEqual({});
  });

  it('keeps paging while a booking tied on start with the page boundary may still come', () => {
    const b = (iso: string, ref: string) => ({ ...toBooking(bookingSchema.parse({ ...booking, start: iso, id: ref }), company._id) });
    const kept = [b('2025-04-20T10:00:00Z', 'bkg_1'), b('2025-04-20T11:00:00Z', 'bkg_2')];
    expect(pageSettled(kept, kept[1], 2)).toBe(false); // the next platform page may start at 11:00 too
    expect(pageSettled(kept, b('2025-04-20T12:00:00Z', 'bkg_3'), 2)).toBe(true);
    expect(pageSettled(kept, kept[1], 3)).toBe(false);
  });
});

describe('yAppointment OAuth pieces (§2)', () => {
  it('asks for the read scopes (bookings:write too for a connection that writes, never customers:write) with PKCE S256 on the consent host', () => {
    const url = new URL(
      buildAuthorizeUrl('https://yappointment.com', 'ya_26374ba38e00bc0a', {
        state: 'st',
        redirectUri: 'https://gateway.example.com/oauth/callback/yappointment',
        codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      }),
    );
    expect(`${url.origin}${url.pathname}`).toBe('https://yappointment.com/oauth/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'ya_26374ba38e00bc0a',
      redirect_uri: 'https://gateway.example.com/oauth/callback/yappointment',
      response_type: 'code',
      scope: 'bookings:read services:read calendars:read customers:read companies:read',
      state: 'st',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    const writing = new URL(
      buildAuthorizeUrl('https://yappointment.com', 'ya_26374ba38e00bc0a', { state: 'st', redirectUri: 'r', codeChallenge: 'c'.repeat(43), write: true }),
    );
    expect(writing.searchParams.get('scope')).toBe('bookings:read services:read calendars:read customers:read companies:read bookings:write');
    expect(yappointmentProvider.pkce).toBe(true);
    expect(() => buildAuthorizeUrl('https://yappointment.com', 'x', { state: 's', redirectUri: 'r' })).toThrow(/PKCE/);
  });

  it('turns the four-field token answer into a set that records the requested scopes', () => {
    const answer = tokenAnswerSchema.parse({ access_token: 'yapp_at_a', token_type: 'Bearer', expires_in: 3600, refresh_token: 'yapp_rt_b' });
    const set = tokenSetFrom(answer, 1_000_000, yappointmentProvider.scopes);
    expect(set).toEqual({
      accessToken: 'yapp_at_a',
      refreshToken: 'yapp_rt_b',
      expiresAt: 1_000_000 + 3_600_000,
      refreshExpiresAt: 1_000_000 + 90 * 86_400_000,
      obtainedAt: 1_000_000,
      meta: { scopes: [...yappointmentProvider.scopes] },
    });
    expect(tokenAnswerSchema.safeParse({ access_token: 'a', token_type: 'mac', expires_in: 3600, refresh_token: 'r' }).success).toBe(false);
    expect(tokenAnswerSchema.safeParse({ access_token: 'a', token_type: 'Bearer', expires_in: 3600 }).success).toBe(false);
  });

  it('reads RFC 6749 errors, v1 error envelopes and RFC 6750 scope challenges', () => {
    expect(oauthError('{"error":"invalid_grant","error_description":"The refresh token was already used"}')).toEqual({
      error: 'invalid_grant',
      description: 'The refresh token was already used',
    });
    expect(oauthError('<html>')).toEqual({ error: null, description: null });
    expect(describeError('{"status":false,"error":{"code":"SLOT_UNAVAILABLE","message":"The requested time is not a free slot"},"meta":{"timestamp":1}}')).toBe(
      'SLOT_UNAVAILABLE: The requested time is not a free slot',
    );
    expect(missingScope(new Headers({ 'www-authenticate': 'Bearer error="insufficient_scope", scope="customers:write"' }))).toBe('customers:write');
    expect(missingScope(new Headers({ 'www-authenticate': 'Bearer error="invalid_token"' }))).toBeNull();
  });
});
