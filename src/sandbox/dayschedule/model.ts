/**
 * DaySchedule records as the emulator stores them (contract: docs/platforms/dayschedule.md §3).
 * Instants are epoch milliseconds internally and serialized as UTC ISO strings with milliseconds.
 */

/** The fixed demo credentials of §1. */
export const CLIENT_ID = 'ds_fca37acfa3c4';
export const CLIENT_SECRET = '04b30c39e19bc20fbf2fe87bdf480281';
export const APP_NAME = 'unifiedgateway';

export type Weekday = 'SUN' | 'MON' | 'TUE' | 'WED' | 'THU' | 'FRI' | 'SAT';
/** Indexed by `Date#getUTCDay()` (0 = Sunday). */
export const WEEKDAYS: readonly Weekday[] = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

export interface Availability {
  day: Weekday;
  times: Array<{ start: string; end: string }>;
  is_available: boolean;
}

export interface Org {
  org_id: number;
  name: string;
  timezone: string;
  owner_user_id: number;
  api_key: string;
  domain: string;
}

export interface User {
  user_id: number;
  org_id: number;
  name: string;
  email: string;
  phone: string;
  role: 'Owner' | 'Member';
  status: 'active';
  time_zone: string;
  page_id: number;
  booking_url: string;
  availability: Availability[];
}

export interface Page {
  page_id: number;
  org_id: number;
  user_id: number;
  name: string;
  domain: string;
  is_default: boolean;
  is_published: boolean;
  created_at: number;
  updated_at: number;
}

export type ResourceType = 'event' | 'webinar' | 'service';
export type EventType = 'one_on_one' | 'round_robin' | 'group';

export interface Location {
  type: string;
  name: string;
  join_url?: string;
  address?: string;
}

export interface Resource {
  id: string;
  org_id: number;
  page_id: number;
  /** The resource's owner; always one of `hosts`. */
  user_id: number;
  /** Users who serve the resource (internal; round robin has several). */
  hosts: number[];
  name: string;
  slug: string;
  type: ResourceType;
  event_type: EventType;
  schedule_id: number;
  description: string;
  is_enabled: boolean;
  durations: Array<{ type: 'minutes' | 'hours'; value: number }>;
  prices: Array<{ name: string; duration: string; amount: number; currency: string }>;
  capacity: number;
  color: string;
  locations: Location[];
  questions: Array<{ type: string; name: string; label: string; required: boolean }>;
  requires_approval: boolean;
  created_at: number;
  updated_at: number;
}

export interface Contact {
  contact_id: string;
  org_id: number;
  user_id: number;
  name: string;
  email: string;
  phone: string;
  company: string;
  source: string;
  hotness: number;
  tags: string[];
  custom_fields: unknown[];
  created_at: number;
  updated_at: number;
}

export type BookingStatus = 'confirmed' | 'pending' | 'canceled';
export const BOOKING_STATUSES: readonly BookingStatus[] = ['confirmed', 'pending', 'canceled'];

export interface Question {
  type: string;
  name: string;
  label: string;
  value: unknown;
}

export interface Invitee {
  invitee_id: string;
  booking_id: string;
  name: string;
  email: string;
  guests: string[];
  status: BookingStatus;
  time_zone: string;
  /** 10 upper-case alphanumerics; with `invitee_id` it keys the public cancel link. */
  token: string;
  questions: Question[];
  created_at: number;
  updated_at: number;
}

export interface Booking {
  booking_id: string;
  org_id: number;
  source: string;
  resource_id: string;
  host_user_id: number;
  subject: string;
  start_at: number;
  end_at: number;
  duration: { type: 'minutes'; value: number };
  time_zone: string;
  status: BookingStatus;
  color: string;
  location: Location;
  description: string;
  canceled_at: number | null;
  cancel_reason: string | null;
  canceled_by: 'host' | 'invitee' | null;
  reschedule: { previous_start_at: number; previous_end_at: number; rescheduled_at: number; rescheduled_by: 'host' } | null;
  logs: string[];
  invitees: Invitee[];
  created_at: number;
  updated_at: number;
}

export const TRIGGER_TYPES = ['event_scheduled', 'before_event', 'event_start', 'event_end', 'event_canceled'] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];

export interface Trigger {
  id: string;
  org_id: number;
  app_name: string;
  type: TriggerType;
  url: string;
  created_at: number;
}

/** Everything the seed restores on reset. */
export interface SeedData {
  orgs: Org[];
  users: User[];
  pages: Page[];
  resources: Resource[];
  contacts: Contact[];
  bookings: Booking[];
}

/** `2025-03-11T04:30:00.000Z`. */
export const iso = (ms: number): string => new Date(ms).toISOString();

/** A MongoDB-ObjectId-shaped id: 8 hex of the creation second, then 16 hex. */
export function objectId(createdMs: number, tail16: string): string {
  return (
    Math.floor(createdMs / 1000)
      .toString(16)
      .padStart(8, '0')
      .slice(-8) + tail16
  );
}

export const OBJECT_ID = /^[0-9a-f]{24}$/;

/** Minutes of a duration entry (`hours` × 60). */
export function durationMinutes(d: { type: string; value: number }): number {
  return d.type === 'hours' ? d.value * 60 : d.value;
}
