import type { BookingFilter } from '../schema/inputs.js';
import type { BookingArgs } from '../src/gateway/reads.js';

/** The `bookings(first, after, filter)` arguments as the gateway takes them. */
export function bookingArgs(first: number, after: string | null, filter: BookingFilter | null): BookingArgs {
  return {
    first,
    after,
    providers: filter?.providers,
    statuses: filter?.status,
    startsAfter: filter?.startsAfter,
    startsBefore: filter?.startsBefore,
  };
}
