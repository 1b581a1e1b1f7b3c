import { z } from 'zod';
import { builtOnce } from '../util.js';

/** zod schemas of Appointedd's JSON:API payloads (contract §3); unknown fields pass through. */

const relOne = (type: string) => z.object({ data: z.object({ type: z.literal(type), id: z.string() }).nullable() }).optional();
const relMany = (type: string) => z.object({ data: z.array(z.object({ type: z.literal(type), id: z.string() })) }).optional();

export const accountSchema = z.looseObject({
  type: z.literal('accounts'),
  id: z.string(),
  attributes: z.looseObject({ name: z.string(), timezone: z.string().nullish() }),
});

export const serviceSchema = z.looseObject({
  type: z.literal('services'),
  id: z.string(),
  attributes: z.looseObject({
    name: z.string(),
    description: z.string().nullish(),
    booking: z.looseObject({ durations: z.array(z.number()).optional() }).nullish(),
    price: z.number().nullish(),
    currency: z.string().nullish(),
  }),
  relationships: z.looseObject({ account: relOne('accounts') }),
});

export const customerSchema = z.looseObject({
  type: z.literal('customers'),
  id: z.string(),
  attributes: z.looseObject({
    profile: z.looseObject({
      firstname: z.string().nullish(),
      lastname: z.string().nullish(),
      email: z.string().nullish(),
      mobile: z.string().nullish(),
      phone: z.string().nullish(),
    }),
  }),
  relationships: z.looseObject({ account: relOne('accounts') }),
});

export const bookingSchema = z.looseObject({
  type: z.literal('bookings'),
  id: z.string(),
  attributes: z.looseObject({
    start: z.string(),
    end: z.string(),
    timezone: z.string().nullish(),
    status: z.string(),
    customers: z.array(z.looseObject({ customer_id: z.string(), status: z.string().nullish() })).default([]),
    created: z.string().nullish(),
    updated: z.string().nullish(),
  }),
  relationships: z.looseObject({
    account: relOne('accounts'),
    service: relOne('services'),
    customers: relMany('customers'),
  }),
});

export const slotSchema = z.looseObject({
  type: z.literal('availability-slots'),
  id: z.string(),
  attributes: z.looseObject({ start: z.string(), end: z.string(), spaces_available: z.number().nullish() }),
  relationships: z.looseObject({ service: relOne('services') }).optional(),
});

const buildDocument = <T extends z.ZodType>(data: T) =>
  z.looseObject({
    data,
    links: z.looseObject({ next: z.string().nullish() }).optional(),
    meta: z.looseObject({ total: z.number().optional() }).optional(),
  });

/** A JSON:API document whose primary data is `T`, plus paging links and `meta.total` (§3). */
export type DocumentSchema<T extends z.ZodType> = ReturnType<typeof buildDocument<T>>;

const singleDocuments = new WeakMap<z.ZodType, z.ZodType>();
const listDocuments = new WeakMap<z.ZodType, z.ZodType>();

/**
 * The document schema of one `resource`, built once per resource schema and reused: building a zod
 * schema costs far more than parsing with a built one, so no request path builds its own.
 */
export function documentOf<T extends z.ZodType>(resource: T): DocumentSchema<T> {
  return builtOnce(singleDocuments, resource, () => buildDocument(resource));
}

/** The document schema of a list of `resource` (a collection page), built once per resource schema. */
export function listDocumentOf<T extends z.ZodType>(resource: T): DocumentSchema<z.ZodArray<T>> {
  return builtOnce(listDocuments, resource, () => buildDocument(z.array(resource)));
}

/** A collection page read only for its `meta.total` (`page[limit]=1`): the item is not looked at. */
export const countDocumentSchema = z.looseObject({
  data: z.array(z.unknown()),
  meta: z.looseObject({ total: z.number().int().nonnegative().optional() }).optional(),
});

/** A webhook push (§4): the trigger and its data, which the trigger types. */
export const webhookPushSchema = z.looseObject({
  event_type: z.string().min(1),
  event_data: z.unknown(),
});

/**
 * The data of a booking push (§4): not the JSON:API resource but the v1 shape, `Z` dates and
 * capitalised statuses; `participants[].id` is the customer id.
 */
export const pushedBookingSchema = z.looseObject({
  organisation: z.looseObject({ id: z.string().min(1) }),
  booking: z.looseObject({
    id: z.string().min(1),
    start_time: z.string(),
    end_time: z.string(),
    status: z.string(),
    timezone: z.string().nullish(),
    created: z.string().nullish(),
    updated: z.string().nullish(),
  }),
  participants: z.array(z.looseObject({ id: z.string(), booking_status: z.string().nullish() })).default([]),
  service: z.looseObject({ id: z.string() }).nullish(),
});

export const tokenAnswerSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().refine((t) => t.toLowerCase() === 'bearer', 'token_type must be Bearer'),
  expires_in: z.number().int().positive(),
});

export const errorDocumentSchema = z.looseObject({
  errors: z.array(z.looseObject({ detail: z.string().optional(), title: z.string().optional(), code: z.string().optional() })),
});

export type AccountResource = z.infer<typeof accountSchema>;
export type ServiceResource = z.infer<typeof serviceSchema>;
export type CustomerResource = z.infer<typeof customerSchema>;
export type BookingResource = z.infer<typeof bookingSchema>;
export type SlotResource = z.infer<typeof slotSchema>;
export type PushedBooking = z.infer<typeof pushedBookingSchema>;
