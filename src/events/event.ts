import type { BookingEventType, BookingStatus } from '../connectors/enums.js';
import type { Provider } from '../connectors/platforms.js';

/**
 * A booking as it travels in an event (the event bus between instances, the delivery queue, the
 * body of a delivery): JSON only, times as ISO 8601 strings, IDs as the gateway's global IDs.
 */
export interface EventBooking {
  id: string;
  provider: Provider;
  connectionId: string;
  ref: string;
  nativeId: string;
  organizationRef: string;
  status: BookingStatus;
  startsAt: string;
  endsAt: string;
  timezone: string | null;
  serviceRef: string | null;
  customerRef: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  raw: unknown;
}

/** One booking event of one tenant, as published and delivered (GraphQL `BookingEvent`). */
export interface BookingEventPayload {
  /** Stable for (connection, booking, type): a push and a poll of the same change give the same id. */
  id: string;
  type: BookingEventType;
  provider: Provider;
  tenantId: string;
  connectionId: string;
  occurredAt: string;
  booking: EventBooking;
}
