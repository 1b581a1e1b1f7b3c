import { createHash } from 'node:crypto';
import type { Store } from '../store/store.js';
import { GatewayError } from './errors.js';
import { type BookingModel, type CustomerModel, scope } from './models.js';
import { platformCall, type RequestScope, type TenantConnections } from './request-scope.js';

/** How long an idempotency key keeps its booking. */
const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

/** Writes on one connection: customers and bookings, with idempotent booking creation. */
export class Writes {
  constructor(private readonly deps: { store: Store; scopes: TenantConnections }) {}

  async createCustomer(
    s: RequestScope,
    input: { organizationId: string; firstName: string; lastName: string; email?: string | null; phone?: string | null },
  ): Promise<CustomerModel> {
    const firstName = input.firstName.trim();
    const lastName = input.lastName.trim();
    if (!firstName || !lastName) throw new GatewayError('BAD_USER_INPUT', '`firstName` and `lastName` must not be empty');
    if (input.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.email)) throw new GatewayError('BAD_USER_INPUT', '`email` is not an e-mail address');
    const { gid, record, connector } = await this.deps.scopes.resolveId(s, input.organizationId, 'Organization', 'organizationId');
    const created = await platformCall(record, 'createCustomer', () =>
      connector.createCustomer({ organizationRef: gid.ref, firstName, lastName, email: input.email ?? null, phone: input.phone ?? null }),
    );
    return scope(created, { provider: record.provider, connectionId: record.id }, 'Customer');
  }

  /**
   * Creates a booking; with an `idempotencyKey`, a repeat (same tenant, same key, same input) returns
   * the first booking and creates nothing. The key is held under a lock while the platform call
   * runs, so concurrent repeats wait for the first and get its booking.
   */
  async createBooking(
    s: RequestScope,
    input: { serviceId: string; customerId: string; startsAt: Date; idempotencyKey?: string | null },
  ): Promise<BookingModel> {
    const service = await this.deps.scopes.resolveId(s, input.serviceId, 'Service', 'serviceId');
    const customer = await this.deps.scopes.resolveId(s, input.customerId, 'Customer', 'customerId');
    if (service.record.id !== customer.record.id) {
      throw new GatewayError('BAD_USER_INPUT', '`serviceId` and `customerId` belong to different connections');
    }
    const { record, connector } = service;
    const create = async () =>
      scope(
        await platformCall(record, 'createBooking', () =>
          connector.createBooking({ serviceRef: service.gid.ref, customerRef: customer.gid.ref, startsAt: input.startsAt }),
        ),
        { provider: record.provider, connectionId: record.id },
        'Booking',
      );
    const key = input.idempotencyKey?.trim();
    if (!key) return create();
    if (key.length > 255) throw new GatewayError('BAD_USER_INPUT', '`idempotencyKey` must be at most 255 characters');
    const storeKey = `idem:${s.tenant.id}:${createHash('sha256').update(key).digest('hex')}`;
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([input.serviceId, input.customerId, input.startsAt.toISOString()]))
      .digest('hex');
    return this.deps.store.withLock(storeKey, async () => {
      const seen = await this.deps.store.get<{ fingerprint: string; connectionId: string; ref: string }>(storeKey);
      if (seen) {
        if (seen.fingerprint !== fingerprint) {
          throw new GatewayError('BAD_USER_INPUT', 'this `idempotencyKey` was already used for a different booking request');
        }
        const again = await platformCall(record, 'getBookings', () => connector.getBookings([seen.ref]));
        if (again[0]) return scope(again[0], { provider: record.provider, connectionId: record.id }, 'Booking');
        throw new GatewayError('NOT_FOUND', 'the booking created with this `idempotencyKey` no longer exists');
      }
      const booking = await create();
      await this.deps.store.set(storeKey, { fingerprint, connectionId: record.id, ref: booking.ref }, IDEMPOTENCY_TTL_MS);
      return booking;
    });
  }

  async cancelBooking(s: RequestScope, id: string, reason: string | null): Promise<BookingModel> {
    const { gid, record, connector } = await this.deps.scopes.resolveId(s, id, 'Booking', 'id');
    const booking = await platformCall(record, 'cancelBooking', () => connector.cancelBooking(gid.ref, reason));
    return scope(booking, { provider: record.provider, connectionId: record.id }, 'Booking');
  }
}
