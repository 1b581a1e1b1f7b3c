import { z } from 'zod';
import { builtOnce } from '../util.js';

/** zod schemas of DaySchedule's JSON payloads (contract §2–§3); unknown fields pass through. */

/** §2.2: exactly `access_token`, `refresh_token`, `token_type`, `expires_in` (seconds). */
export const tokenAnswerSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  token_type: z.string().refine((t) => t.toLowerCase() === 'bearer', 'token_type must be Bearer'),
  expires_in: z.number().int().positive(),
});

const buildListOf = <T extends z.ZodType>(item: T) =>
  z.looseObject({
    offset: z.number().int().nonnegative(),
    limit: z.number().int().positive(),
    total: z.number().int().nonnegative(),
    returned: z.number().int().nonnegative(),
    result: z.array(item),
  });

/** The §3 list envelope of `T` items. */
export type ListSchema<T extends z.ZodType> = ReturnType<typeof buildListOf<T>>;

const lists = new WeakMap<z.ZodType, z.ZodType>();

/**
 * §3 list envelope of `item`s (an empty page is a 404 instead, handled by the client), built once per
 * item schema and reused: building a zod schema costs far more than parsing with a built one, so no
 * request path builds its own.
 */
export function listOf<T extends z.ZodType>(item: T): ListSchema<T> {
  return builtOnce(lists, item, () => buildListOf(item));
}

const duration = z.looseObject({ type: z.string(), value: z.number() });

/** §3.1 `GET /v1/users` item. */
export const userSchema = z.looseObject({
  user_id: z.number().int(),
  org_id: z.number().int(),
  name: z.string(),
  email: z.string().nullish(),
  role: z.string().nullish(),
  time_zone: z.string().nullish(),
});

/** §3.1 `GET /v1/pages` item. */
export const pageSchema = z.looseObject({
  page_id: z.number().int(),
  org_id: z.number().int(),
  name: z.string(),
  is_default: z.boolean().nullish(),
});

/** §3.2 resource (list item or detail). */
export const resourceSchema = z.looseObject({
  id: z.string(),
  org_id: z.number().int(),
  user_id: z.number().int(),
  name: z.string(),
  description: z.string().nullish(),
  durations: z.array(duration).default([]),
  prices: z.array(z.looseObject({ amount: z.number(), currency: z.string() })).nullish(),
});

/** §3.3 contact. */
export const contactSchema = z.looseObject({
  contact_id: z.string(),
  org_id: z.number().int(),
  name: z.string(),
  email: z.string().nullish(),
  phone: z.string().nullish(),
});

const person = z.looseObject({ name: z.string().nullish(), email: z.string().nullish() });

/** §3.4 booking: the list item; the detail adds `invitees[]` and `logs[]`. */
export const bookingSchema = z.looseObject({
  booking_id: z.string(),
  org_id: z.number().int(),
  resource: z.looseObject({ resource_id: z.string() }).nullish(),
  start_at: z.iso.datetime({ offset: true }),
  end_at: z.iso.datetime({ offset: true }),
  time_zone: z.string().nullish(),
  status: z.string(),
  attendees: z.array(person).nullish(),
  invitees: z.array(person).nullish(),
  created_at: z.iso.datetime({ offset: true }).nullish(),
  updated_at: z.iso.datetime({ offset: true }).nullish(),
});

/** §4 answer of subscribing (and unsubscribing) a trigger: `{id}`. */
export const triggerAnswerSchema = z.looseObject({ id: z.string().min(1) });

/**
 * §4 trigger delivery: `type`, `trigger_id` and the `booking` as it is then, whose resource is
 * `booking.event.event_id` (the list's `resource.resource_id`) and whose people are `invitees[]`.
 */
export const triggerPayloadSchema = z.looseObject({
  type: z.string(),
  trigger_id: z.string().nullish(),
  booking: bookingSchema.extend({
    event: z.looseObject({ event_id: z.union([z.string(), z.number()]).nullish() }).nullish(),
  }),
});

/** §3.5 public availability answer. */
export const availabilitySchema = z.looseObject({
  slots: z.array(
    z.looseObject({
      date: z.string(),
      hours: z.array(z.looseObject({ time: z.iso.datetime({ offset: true }), available: z.number() })),
    }),
  ),
  duration: z.number().int().positive().optional(),
});

/** §5 error body: `{statusCode, message, error}`, `message` a string or a list of strings. */
export const errorBodySchema = z.looseObject({
  statusCode: z.number().optional(),
  message: z.union([z.string(), z.array(z.string())]).optional(),
  error: z.string().optional(),
});

export type UserRecord = z.infer<typeof userSchema>;
export type PageRecord = z.infer<typeof pageSchema>;
export type ResourceRecord = z.infer<typeof resourceSchema>;
export type ContactRecord = z.infer<typeof contactSchema>;
export type BookingRecord = z.infer<typeof bookingSchema>;
export type AvailabilityAnswer = z.infer<typeof availabilitySchema>;
export type TriggerPayload = z.infer<typeof triggerPayloadSchema>;
