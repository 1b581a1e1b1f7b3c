/**
 * The OnSched emulator's in-memory records (contract: docs/platforms/onsched.md §1, §3, §4).
 * Records hold instants as epoch milliseconds; views (`views.ts`) format them with the location's
 * offset.
 */

/** Appointment statuses of §3.4 (`HD` is a V3 hold that never appears on the V1 paths). */
export const APPOINTMENT_STATUSES = ['IN', 'RS', 'BK', 'CN', 'RE', 'NS', 'HD'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

/** V3 webhook triggers (§4). */
export const WEBHOOK_TRIGGERS = [
  'NEW_APPOINTMENT',
  'APPOINTMENT_CONFIRMED',
  'APPOINTMENT_CANCELLED',
  'APPOINTMENT_RESCHEDULED',
  'APPOINTMENT_REMINDER',
] as const;
export type WebhookTrigger = (typeof WEBHOOK_TRIGGERS)[number];

/** Opening hours of one weekday, in minutes after local midnight; null = closed. */
export type DayHours = { open: number; close: number } | null;
/** Index 0 = Sunday … 6 = Saturday. */
export type WeekHours = readonly DayHours[];

export interface Address {
  addressLine1: string;
  addressLine2: string | null;
  city: string;
  state: string;
  postalCode: string;
  country: string;
}

export interface Company {
  id: string;
  /** The dashboard account owning the company; a token serves only its own account's companies. */
  accountId: string;
  name: string;
  email: string;
  phone: string;
  address: Address;
  timezoneName: string;
  /** Windows time-zone name, as V1 reports it. */
  timezoneId: string;
  registrationDate: string;
  apiKey: string;
  publicClientId: string;
  /** Prefix of confirmation numbers, e.g. `HP` → `HP-100243`. */
  confirmationPrefix: string;
}

export interface Location {
  id: string;
  companyId: string;
  name: string;
  primaryBusiness: boolean;
  timezoneIana: string;
  timezoneId: string;
  email: string;
  phone: string;
  address: Address;
  primaryCalendarId: string;
  hours: WeekHours;
}

export interface Service {
  id: string;
  companyId: string;
  /** null = offered at every location of the company. */
  locationId: string | null;
  name: string;
  description: string;
  /** Minutes. */
  duration: number;
  /** Minutes between offered start times. */
  bookingInterval: number;
  feeAmount: number;
  defaultService: boolean;
  maxCapacity: number;
  showOnline: boolean;
}

export interface Resource {
  id: string;
  companyId: string;
  locationId: string;
  name: string;
  email: string;
  timezoneIana: string;
}

export interface Customer {
  id: string;
  companyId: string;
  locationId: string;
  /** 0 = person, 1 = business (CustomerInputModel.type). */
  type: 0 | 1;
  firstname: string | null;
  lastname: string | null;
  name: string;
  email: string;
  contact: { mobilePhone: string | null; homePhone: string | null; businessPhone: string | null };
  notificationType: string;
  createdMs: number;
  modifiedMs: number;
}

export interface AuditEntry {
  id: string;
  modificationType: string;
  modifiedBy: string;
  modifiedMs: number;
  statusBefore: AppointmentStatus | null;
  statusAfter: AppointmentStatus;
}

export interface Appointment {
  id: string;
  companyId: string;
  locationId: string;
  serviceId: string;
  resourceId: string | null;
  customerId: string | null;
  status: AppointmentStatus;
  confirmed: boolean;
  startMs: number;
  endMs: number;
  name: string | null;
  firstname: string | null;
  lastname: string | null;
  email: string | null;
  phone: string | null;
  notes: string;
  customerMessage: string | null;
  confirmationNumber: string;
  bookedBy: string | null;
  onlineBooking: boolean;
  rescheduledId: string | null;
  createdMs: number;
  modifiedMs: number;
  audit: AuditEntry[];
  /** When the appointment last became `BK` at its current time (the reminder counts from then). */
  reminderArmedMs: number | null;
  /** The 24-hour reminder for the current time has been handled. */
  reminded: boolean;
}

export interface Webhook {
  id: string;
  locationId: string;
  url: string;
  headers: Record<string, string>;
  triggers: WebhookTrigger[];
  active: boolean;
  createdMs: number;
}

/** Everything reset restores (§1 seed); built fresh by `buildSeed`. */
export interface OnSchedData {
  companies: Company[];
  locations: Location[];
  services: Service[];
  resources: Resource[];
  customers: Customer[];
  appointments: Appointment[];
  /** Next confirmation number per company id. */
  nextConfirmation: Map<string, number>;
}
