import { createHash } from 'node:crypto';
import { randomString } from '../framework/util.js';

/**
 * The in-memory bookingtime data (contract §3). Times are epoch milliseconds; they are written
 * with the organization's offset when rendered.
 */

/** Business hours of one weekday, in minutes after local midnight: [open, close). */
export type DayHours = readonly [open: number, close: number];

export interface Address {
  street: string;
  zip: string;
  city: string;
  country: string;
}

export interface Organization {
  id: string;
  customId: string;
  name: string;
  description: string;
  address: Address;
  telephone: string;
  email: string;
  timeZone: string;
  currency: string;
  /** Whether the demo app may access it (contract §1: the third one may not). */
  permitted: boolean;
  /** Weekday (0 = Sunday … 6 = Saturday) → opening hours in `timeZone`; absent = closed. */
  hours: Partial<Record<number, DayHours>>;
  timestampAdd: number;
  timestampEdit: number;
}

export interface BookingResource {
  id: string;
  organizationId: string;
  type: 'EMPLOYEE';
  firstName: string;
  lastName: string;
}

export interface BookingTemplate {
  id: string;
  customId: string;
  organizationId: string;
  name: string;
  description: string;
  /** Minutes. */
  duration: number;
  showPrice: boolean;
  priceGross: number;
  currency: string;
  taxRate: number;
  bookingDayEarliest: number;
  /** Days ahead (inclusive) a slot may lie. */
  bookingDayLatest: number;
  /** Minutes between now and the earliest bookable start. */
  bookingLeadTime: number;
  /** The employees who can perform it, in preference order. */
  resourceIds: string[];
}

export const GENDERS = ['MALE', 'FEMALE', 'DIVERSE', 'NONE'] as const;
export type Gender = (typeof GENDERS)[number];

export interface Customer {
  id: string;
  customId: string;
  organizationId: string;
  gender: Gender;
  firstName: string;
  lastName: string;
  email: string;
  telephone: string;
  mobile: string;
  locale: string;
  notes: string;
  address: Address;
  timestampAdd: number;
  timestampEdit: number;
}

export interface Appointment {
  id: string;
  customId: string;
  organizationId: string;
  bookingTemplateId: string;
  customerId: string;
  /** The customer as it was when booked; shown when the customer has been deleted since. */
  customerSnapshot: { id: string; customId: string; firstName: string; lastName: string };
  startMs: number;
  endMs: number;
  notes: string;
  resourceIds: string[];
  canceled: boolean;
  moved: boolean;
  timestampAdd: number;
  timestampEdit: number;
}

export interface SeedData {
  organizations: Organization[];
  resources: BookingResource[];
  templates: BookingTemplate[];
  customers: Customer[];
  appointments: Appointment[];
}

/** ID type prefixes (contract §3). */
export const PREFIX = {
  organization: 'f6',
  customer: 'd3',
  appointment: 'ed',
  bookingTemplate: 'fc',
  bookingSlot: '4f',
  bookingResource: 'br',
} as const;

/** `prefix` + 30 base62 characters. */
export const idPattern = (prefix: string) => new RegExp(`^${prefix}[A-Za-z0-9]{30}$`);

/** A fresh random id for an entity created through the API. */
export function newId(prefix: string): string {
  return prefix + randomString(30);
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A deterministic `prefix` + 30 base62 id derived from `key` (used for booking slots). */
export function hashedId(prefix: string, key: string): string {
  const digest = createHash('sha256').update(key).digest();
  let out = prefix;
  for (let i = 0; i < 30; i++) out += BASE62[digest[i] % 62];
  return out;
}

/** The live data of one emulator; `load` replaces everything (seed and reset). */
export class BookingtimeState {
  organizations: Organization[] = [];
  resources = new Map<string, BookingResource>();
  templates: BookingTemplate[] = [];
  /** Insertion order = listing order. */
  customers = new Map<string, Customer>();
  appointments = new Map<string, Appointment>();

  load(seed: SeedData): void {
    this.organizations = seed.organizations.map((o) => structuredClone(o));
    this.resources = new Map(seed.resources.map((r) => [r.id, structuredClone(r)]));
    this.templates = seed.templates.map((t) => structuredClone(t));
    this.customers = new Map(seed.customers.map((c) => [c.id, structuredClone(c)]));
    this.appointments = new Map(seed.appointments.map((a) => [a.id, structuredClone(a)]));
  }

  organization(id: string): Organization | undefined {
    return this.organizations.find((o) => o.id === id);
  }

  permittedOrganizations(): Organization[] {
    return this.organizations.filter((o) => o.permitted);
  }

  templatesOf(orgId: string): BookingTemplate[] {
    return this.templates.filter((t) => t.organizationId === orgId);
  }

  /** The template with this id in this organization (another organization's is invisible). */
  template(orgId: string, id: string): BookingTemplate | undefined {
    return this.templates.find((t) => t.id === id && t.organizationId === orgId);
  }

  customersOf(orgId: string): Customer[] {
    return [...this.customers.values()].filter((c) => c.organizationId === orgId);
  }

  customer(orgId: string, id: string): Customer | undefined {
    const c = this.customers.get(id);
    return c && c.organizationId === orgId ? c : undefined;
  }

  /** The organization's appointments ordered by start (then id, for a stable order). */
  appointmentsOf(orgId: string): Appointment[] {
    return [...this.appointments.values()].filter((a) => a.organizationId === orgId).sort((a, b) => a.startMs - b.startMs || (a.id < b.id ? -1 : 1));
  }

  appointment(orgId: string, id: string): Appointment | undefined {
    const a = this.appointments.get(id);
    return a && a.organizationId === orgId ? a : undefined;
  }

  /** Any organization's appointment (control routes). */
  anyAppointment(id: string): Appointment | undefined {
    return this.appointments.get(id);
  }
}
