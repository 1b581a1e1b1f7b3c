/**
 * yAppointment in-memory data model (contract `docs/platforms/yappointment.md` §3) and the pure
 * functions that render records the way the API shows them.
 */

/** Native booking statuses (§3.4). Note the spelling `cancelled`. */
export const BOOKING_STATUSES = ['confirmed', 'pending', 'cancelled', 'completed', 'no_show'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

/** Opening hours per weekday (0 = Sunday … 6 = Saturday), minutes after local midnight; null = closed. */
export type WeekHours = ReadonlyArray<readonly [number, number] | null>;

export interface Company {
  id: string;
  name: string;
  email: string;
  phone: string;
  address: string;
  timezone: string;
  currency: string;
  createdAt: number;
  hours: WeekHours;
}

export interface Service {
  id: string;
  companyId: string;
  name: string;
  description: string;
  /** Minutes, a multiple of 15. */
  duration: number;
  price: number;
  active: boolean;
  requiresApproval: boolean;
  employeeIds: string[];
  createdAt: number;
  updatedAt: number;
}

export interface Employee {
  id: string;
  companyId: string;
  name: string;
  email: string;
  serviceIds: string[];
  active: boolean;
}

export interface Customer {
  id: string;
  companyId: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string | null;
  timezone: string;
  createdAt: number;
  updatedAt: number;
}

/** A booking; names and prices are rendered from the linked records. All instants are epoch ms. */
export interface Booking {
  id: string;
  companyId: string;
  customerId: string;
  serviceId: string;
  employeeId: string;
  start: number;
  end: number;
  status: BookingStatus;
  price: number;
  notes: string;
  cancelledAt: number | null;
  cancellationReason: string | null;
  createdAt: number;
  updatedAt: number;
}

/** All platform data of one emulator; `nextId` counters keep new IDs unique and deterministic. */
export interface PlatformData {
  companies: Company[];
  services: Service[];
  employees: Employee[];
  customers: Customer[];
  bookings: Booking[];
  nextId: { srv: number; emp: number; cust: number; bkg: number };
}

/** `2025-04-20T14:00:00Z`: UTC, whole seconds (§3 "Times are UTC"). */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Rounds an instant down to a whole second, so stored and rendered stamps agree. */
export function wholeSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

export function companyView(c: Company) {
  return {
    _id: c.id,
    name: c.name,
    email: c.email,
    phone: c.phone,
    address: c.address,
    timezone: c.timezone,
    currency: c.currency,
    createdAt: isoSeconds(c.createdAt),
  };
}

export function serviceView(s: Service, currency: string) {
  return {
    id: s.id,
    name: s.name,
    description: s.description,
    duration: s.duration,
    price: s.price,
    currency,
    active: s.active,
    requiresApproval: s.requiresApproval,
    employeeIds: [...s.employeeIds],
    createdAt: isoSeconds(s.createdAt),
    updatedAt: isoSeconds(s.updatedAt),
  };
}

export function employeeView(e: Employee) {
  return { id: e.id, name: e.name, email: e.email, serviceIds: [...e.serviceIds], active: e.active };
}

export function customerView(c: Customer) {
  return {
    id: c.id,
    firstName: c.firstName,
    lastName: c.lastName,
    name: `${c.firstName} ${c.lastName}`,
    email: c.email,
    phone: c.phone,
    timezone: c.timezone,
    createdAt: isoSeconds(c.createdAt),
    updatedAt: isoSeconds(c.updatedAt),
  };
}

/** The §3.4 booking object (also the webhook `data`, §4). */
export function bookingView(data: PlatformData, b: Booking) {
  const company = data.companies.find((c) => c.id === b.companyId) as Company;
  const customer = data.customers.find((c) => c.id === b.customerId) as Customer;
  const service = data.services.find((s) => s.id === b.serviceId) as Service;
  const employee = data.employees.find((e) => e.id === b.employeeId) as Employee;
  return {
    id: b.id,
    companyId: b.companyId,
    customerId: b.customerId,
    serviceId: b.serviceId,
    employeeId: b.employeeId,
    customerName: `${customer.firstName} ${customer.lastName}`,
    customerEmail: customer.email,
    serviceName: service.name,
    employeeName: employee.name,
    start: isoSeconds(b.start),
    end: isoSeconds(b.end),
    timezone: company.timezone,
    status: b.status,
    price: b.price,
    currency: company.currency,
    notes: b.notes,
    cancelledAt: b.cancelledAt === null ? null : isoSeconds(b.cancelledAt),
    cancellationReason: b.cancellationReason,
    createdAt: isoSeconds(b.createdAt),
    updatedAt: isoSeconds(b.updatedAt),
  };
}

/** `prefix` + 9 digits (§3 IDs). */
export function formatId(prefix: 'srv' | 'emp' | 'cust' | 'bkg' | 'evt', n: number): string {
  return `${prefix}_${String(n).padStart(9, '0')}`;
}
