import type { Route } from '../framework/types.js';
import { parseInstant } from '../framework/util.js';
import { type ApiDeps, authedRoute } from './api.js';
import { employeeFree, freeSlots, MAX_SLOT_RANGE_MS, withinHours } from './availability.js';
import { type FieldError, optionalString, readFilter, readObjectBody, readPaging, requiredString } from './http.js';
import {
  BOOKING_STATUSES,
  type Booking,
  type BookingStatus,
  bookingView,
  type Company,
  type Customer,
  formatId,
  isoSeconds,
  type PlatformData,
  type Service,
} from './state.js';

/** Bookings (§3.4) and availability (§3.5). */

/** §3.4 list order: `start` ascending, then `id`. */
export function byStart(a: Booking, b: Booking): number {
  return a.start - b.start || a.id.localeCompare(b.id);
}

/**
 * Books `service` for `customer` at `start` (§3.4 "Create"): the slot must be free, on the grid,
 * inside business hours and after `nowMs`; without `employeeId` the first free employee of the
 * service is taken. Returns null when the slot is unavailable.
 */
export function placeBooking(
  data: PlatformData,
  company: Company,
  service: Service,
  customer: Customer,
  start: number,
  employeeId: string | undefined,
  notes: string,
  nowMs: number,
): Booking | null {
  if (!service.active || start <= nowMs || !withinHours(company, start, service.duration)) return null;
  const end = start + service.duration * 60_000;
  const candidates = employeeId === undefined ? service.employeeIds : service.employeeIds.filter((id) => id === employeeId);
  const chosen = candidates.find((id) => employeeFree(data.bookings, id, start, end));
  if (!chosen) return null;
  const booking: Booking = {
    id: formatId('bkg', data.nextId.bkg++),
    companyId: company.id,
    customerId: customer.id,
    serviceId: service.id,
    employeeId: chosen,
    start,
    end,
    status: service.requiresApproval ? 'pending' : 'confirmed',
    price: service.price,
    notes,
    cancelledAt: null,
    cancellationReason: null,
    createdAt: nowMs,
    updatedAt: nowMs,
  };
  data.bookings.push(booking);
  return booking;
}

/** Why a booking cannot be cancelled at `nowMs` (§3.4 "Cancel"), or null. */
export function cancelProblem(b: Booking, nowMs: number): 'ALREADY_CANCELLED' | 'BOOKING_NOT_CANCELLABLE' | null {
  if (b.status === 'cancelled') return 'ALREADY_CANCELLED';
  if (b.status === 'completed' || b.status === 'no_show' || b.start <= nowMs) return 'BOOKING_NOT_CANCELLABLE';
  return null;
}

export function applyCancel(b: Booking, reason: string | null, nowMs: number): void {
  b.status = 'cancelled';
  b.cancelledAt = nowMs;
  b.cancellationReason = reason;
  b.updatedAt = nowMs;
}

function readStatuses(filter: Record<string, unknown>, errors: FieldError[]): Set<BookingStatus> | undefined {
  const v = filter.status;
  if (v === undefined) return undefined;
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || list.some((s) => !(BOOKING_STATUSES as readonly unknown[]).includes(s))) {
    errors.push({ field: 'filter.status', message: `must be one of ${BOOKING_STATUSES.join(', ')} or an array of them` });
    return undefined;
  }
  return new Set(list as BookingStatus[]);
}

function optionalInstant(obj: Record<string, unknown>, key: string, field: string, errors: FieldError[]): number | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  const d = parseInstant(v);
  if (!d) {
    errors.push({ field, message: 'must be an ISO 8601 instant such as 2025-04-20T10:00:00Z' });
    return undefined;
  }
  return d.getTime();
}

export function bookingRoutes(deps: ApiDeps): Route[] {
  const { env } = deps;
  const data = () => deps.store.data;
  const now = () => Math.floor(deps.ctx.clock.now() / 1000) * 1000;

  return [
    authedRoute(deps, 'POST', '/api/v1/bookings', 'bookings:read', (req, _p, company) => {
      const read = readObjectBody(req, env);
      if (!read.ok) return read.response;
      const errors: FieldError[] = [];
      const f = readFilter(read.body, errors);
      const statuses = readStatuses(f, errors);
      const from = optionalInstant(f, 'from', 'filter.from', errors);
      const to = optionalInstant(f, 'to', 'filter.to', errors);
      const updatedSince = optionalInstant(f, 'updatedSince', 'filter.updatedSince', errors);
      const serviceId = optionalString(f, 'serviceId', 'filter.serviceId', errors);
      const customerId = optionalString(f, 'customerId', 'filter.customerId', errors);
      const employeeId = optionalString(f, 'employeeId', 'filter.employeeId', errors);
      const { page, limit } = readPaging(read.body, errors);
      if (errors.length) return env.invalid(errors);
      const d = data();
      const items = d.bookings
        .filter(
          (b) =>
            b.companyId === company.id &&
            (statuses === undefined || statuses.has(b.status)) &&
            (from === undefined || b.start >= from) &&
            (to === undefined || b.start < to) &&
            (updatedSince === undefined || b.updatedAt >= updatedSince) &&
            (serviceId === undefined || b.serviceId === serviceId) &&
            (customerId === undefined || b.customerId === customerId) &&
            (employeeId === undefined || b.employeeId === employeeId),
        )
        .sort(byStart)
        .map((b) => bookingView(d, b));
      return env.page(items, page, limit);
    }),

    authedRoute(deps, 'GET', '/api/v1/bookings/:id', 'bookings:read', (req, _p, company) => {
      const d = data();
      const b = d.bookings.find((x) => x.id === req.params.id && x.companyId === company.id);
      return b ? env.ok(bookingView(d, b)) : env.error(404, 'Booking not found');
    }),

    authedRoute(deps, 'POST', '/api/v1/bookings/create', 'bookings:write', (req, _p, company) => {
      const read = readObjectBody(req, env);
      if (!read.ok) return read.response;
      const b = read.body;
      const errors: FieldError[] = [];
      const serviceId = requiredString(b, 'serviceId', errors);
      const customerId = requiredString(b, 'customerId', errors);
      const start = b.start === undefined ? undefined : optionalInstant(b, 'start', 'start', errors);
      if (b.start === undefined) errors.push({ field: 'start', message: 'is required' });
      const employeeId = optionalString(b, 'employeeId', 'employeeId', errors);
      const notes = optionalString(b, 'notes', 'notes', errors) ?? '';
      if (notes.length > 1_000) errors.push({ field: 'notes', message: 'must be at most 1000 characters' });
      if (errors.length || start === undefined) return env.invalid(errors);
      const d = data();
      const service = d.services.find((s) => s.id === serviceId && s.companyId === company.id);
      if (!service) return env.error(404, 'Service not found');
      const customer = d.customers.find((c) => c.id === customerId && c.companyId === company.id);
      if (!customer) return env.error(404, 'Customer not found');
      if (employeeId !== undefined && !d.employees.some((e) => e.id === employeeId && e.companyId === company.id)) {
        return env.error(404, 'Employee not found');
      }
      const booking = placeBooking(d, company, service, customer, start, employeeId, notes, now());
      if (!booking) return env.error(409, 'The requested time is not a free slot', { code: 'SLOT_UNAVAILABLE' });
      const view = bookingView(d, booking);
      return { ...env.ok(view, 201), after: () => void deps.hub.emit(company.id, 'booking.created', view) };
    }),

    authedRoute(deps, 'POST', '/api/v1/bookings/:id/cancel', 'bookings:write', (req, _p, company) => {
      const read = readObjectBody(req, env);
      if (!read.ok) return read.response;
      const errors: FieldError[] = [];
      const reason = optionalString(read.body, 'reason', 'reason', errors);
      if (reason !== undefined && reason.length > 500) errors.push({ field: 'reason', message: 'must be at most 500 characters' });
      if (errors.length) return env.invalid(errors);
      const d = data();
      const booking = d.bookings.find((x) => x.id === req.params.id && x.companyId === company.id);
      if (!booking) return env.error(404, 'Booking not found');
      const problem = cancelProblem(booking, now());
      if (problem === 'ALREADY_CANCELLED') return env.error(409, 'The booking is already cancelled', { code: problem });
      if (problem) return env.error(422, `A ${booking.status} or started booking cannot be cancelled`, { code: problem });
      applyCancel(booking, reason ?? null, now());
      const view = bookingView(d, booking);
      return { ...env.ok(view), after: () => void deps.hub.emit(company.id, 'booking.cancelled', view) };
    }),

    authedRoute(deps, 'POST', '/api/v1/slots', 'calendars:read', (req, _p, company) => {
      const read = readObjectBody(req, env);
      if (!read.ok) return read.response;
      const b = read.body;
      const errors: FieldError[] = [];
      const serviceId = requiredString(b, 'serviceId', errors);
      const from = optionalInstant(b, 'from', 'from', errors);
      const to = optionalInstant(b, 'to', 'to', errors);
      if (b.from === undefined) errors.push({ field: 'from', message: 'is required' });
      if (b.to === undefined) errors.push({ field: 'to', message: 'is required' });
      const employeeId = optionalString(b, 'employeeId', 'employeeId', errors);
      if (from !== undefined && to !== undefined) {
        if (to <= from) errors.push({ field: 'to', message: 'must be after from' });
        else if (to - from > MAX_SLOT_RANGE_MS) errors.push({ field: 'to', message: 'the range may span at most 31 days' });
      }
      if (errors.length || from === undefined || to === undefined) return env.invalid(errors);
      const d = data();
      const service = d.services.find((s) => s.id === serviceId && s.companyId === company.id);
      if (!service) return env.error(404, 'Service not found');
      if (employeeId !== undefined && !d.employees.some((e) => e.id === employeeId && e.companyId === company.id)) {
        return env.error(404, 'Employee not found');
      }
      const employees = employeeId === undefined ? service.employeeIds : service.employeeIds.filter((id) => id === employeeId);
      const slots = service.active ? freeSlots(d, company, service, employees, from, to, deps.ctx.clock.now()) : [];
      return env.ok(slots.map((s) => ({ start: isoSeconds(s.start), end: isoSeconds(s.end), employeeId: s.employeeId, available: true })));
    }),
  ];
}
