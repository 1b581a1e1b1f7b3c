/**
 * The Appointedd emulator's in-memory records (contract: docs/platforms/appointedd.md §1–§4).
 * Times are epoch milliseconds; ids are 24-hex ObjectIds.
 */

/** Business hours per local weekday (0 = Sunday … 6 = Saturday): `[openMinute, closeMinute]`. */
export type WeeklyHours = Partial<Record<number, readonly [number, number]>>;

export interface Account {
  id: string;
  name: string;
  timezone: string;
  currency: string;
  locale: string;
  hours: WeeklyHours;
  created: number;
  updated: number;
  seq: number;
}

export interface Service {
  id: string;
  accountId: string;
  name: string;
  description: string;
  categoryId: string;
  /** Minutes; the first one is the booked length. */
  durations: number[];
  /** Price per space, in the account's currency. */
  price: number;
  /** Spaces one booking may hold (1 for one-to-one services). */
  maxOccupancy: number;
  resourceIds: string[];
  created: number;
  seq: number;
}

export interface Resource {
  id: string;
  accountId: string;
  name: string;
  email: string;
  phone: string;
  created: number;
  seq: number;
}

export interface Customer {
  id: string;
  accountId: string;
  firstname: string;
  lastname: string;
  email: string | null;
  mobile: string | null;
  phone: string | null;
  tags: string[];
  marketingOptIn: boolean;
  /** The participant time zone used when this customer books. */
  timezone: string;
  created: number;
  updated: number;
  seq: number;
}

/** Booking status (Assumed besides `confirmed`). */
export const BOOKING_STATUSES = ['confirmed', 'pending', 'cancelled'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

/** Participant status (Assumed besides `No Status`). */
export const PARTICIPANT_STATUSES = ['No Status', 'Attended', 'No Show'] as const;
export type ParticipantStatus = (typeof PARTICIPANT_STATUSES)[number];

export interface Participant {
  customerId: string;
  customerBookingId: string;
  spaces: number;
  status: ParticipantStatus;
  timezone: string;
  bookingSource: string;
  paid: boolean;
  totalPrice: number;
  created: number;
}

export interface Booking {
  id: string;
  accountId: string;
  serviceId: string;
  resourceId: string;
  start: number;
  end: number;
  status: BookingStatus;
  timezone: string;
  createdSource: string;
  lastModifiedSource: string;
  cancelledAt: number | null;
  participants: Participant[];
  created: number;
  updated: number;
  seq: number;
}

/** An OAuth client and the accounts its permission covers (§2). */
export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  permission: 'all' | 'specific';
  accountIds: string[];
}

export interface AccessToken {
  clientId: string;
  expiresAt: number;
}

/** A webhook set up in the web app (§4): one trigger, one URL, optional auth. */
export interface WebhookSubscription {
  id: string;
  account_id: string;
  name: string;
  trigger: WebhookTrigger;
  url: string;
  auth: WebhookAuth;
}

export type WebhookAuth = { type: 'none' } | { type: 'basic'; username: string; password: string } | { type: 'header'; name: string; value: string };

export const WEBHOOK_TRIGGERS = [
  'booking_created',
  'booking_updated',
  'booking_cancelled',
  'customer_created',
  'customer_updated',
  'customer_deleted',
] as const;
export type WebhookTrigger = (typeof WEBHOOK_TRIGGERS)[number];

export const OBJECT_ID = /^[0-9a-f]{24}$/;

/** `2025-03-11T10:00:00.000+00:00` — the API's time format (§3). */
export function apiTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

/** `2025-03-11T10:00:00.000Z` — the webhook payloads' time format (§4). */
export function hookTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Newest first (the documented natural order): by `created`, then insertion order. */
export function newestFirst<T extends { created: number; seq: number }>(items: Iterable<T>): T[] {
  return [...items].sort((a, b) => b.created - a.created || b.seq - a.seq);
}

/** Booking price: the service price times the spaces held. */
export function bookingPrice(b: Booking): number {
  return b.participants.reduce((sum, p) => sum + p.totalPrice, 0);
}

export function totalSpaces(b: Booking): number {
  return b.participants.reduce((sum, p) => sum + p.spaces, 0);
}
