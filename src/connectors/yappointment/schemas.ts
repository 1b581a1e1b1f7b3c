import { z } from 'zod';
import { builtOnce } from '../util.js';

/** zod schemas of yAppointment's v1 payloads (contract §2–§5); unknown fields pass through. */

export const companySchema = z.looseObject({
  _id: z.string().min(1),
  name: z.string(),
  timezone: z.string().nullish(),
  currency: z.string().nullish(),
});

export const serviceSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  description: z.string().nullish(),
  duration: z.number().nullish(),
  price: z.number().nullish(),
  currency: z.string().nullish(),
  active: z.boolean().optional(),
});

export const customerSchema = z.looseObject({
  id: z.string().min(1),
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
  email: z.string().nullish(),
  phone: z.string().nullish(),
  timezone: z.string().nullish(),
});

/** Native booking statuses (§3.4); note the spelling `cancelled`. */
export const BOOKING_STATUSES = ['confirmed', 'pending', 'cancelled', 'completed', 'no_show'] as const;
export type NativeBookingStatus = (typeof BOOKING_STATUSES)[number];

export const bookingSchema = z.looseObject({
  id: z.string().min(1),
  companyId: z.string().nullish(),
  customerId: z.string().nullish(),
  serviceId: z.string().nullish(),
  start: z.string(),
  end: z.string(),
  timezone: z.string().nullish(),
  status: z.enum(BOOKING_STATUSES),
  createdAt: z.string().nullish(),
  updatedAt: z.string().nullish(),
});

export const slotSchema = z.looseObject({
  start: z.string(),
  end: z.string(),
  employeeId: z.string().nullish(),
  available: z.boolean().optional(),
});

const paginationSchema = z.looseObject({
  page: z.number().int(),
  limit: z.number().int(),
  total: z.number().int().optional(),
  totalPages: z.number().int().optional(),
  hasMore: z.boolean(),
});

const buildEnvelope = <T extends z.ZodType>(data: T) =>
  z.looseObject({
    status: z.literal(true),
    data,
    meta: z.looseObject({ pagination: paginationSchema.optional() }).optional(),
  });

/** The v1 success envelope around `T`. */
export type EnvelopeSchema<T extends z.ZodType> = ReturnType<typeof buildEnvelope<T>>;

const envelopes = new WeakMap<z.ZodType, z.ZodType>();
const listEnvelopes = new WeakMap<z.ZodType, z.ZodType>();

/**
 * The v1 success envelope `{status:true,data,meta}` (§3 "Envelope") around one `data`, built once per
 * data schema and reused: building a zod schema costs far more than parsing with a built one, so no
 * request path builds its own.
 */
export function envelopeOf<T extends z.ZodType>(data: T): EnvelopeSchema<T> {
  return builtOnce(envelopes, data, () => buildEnvelope(data));
}

/** The success envelope around a list of `item`s (a list page, `/slots`), built once per item schema. */
export function listEnvelopeOf<T extends z.ZodType>(item: T): EnvelopeSchema<z.ZodArray<T>> {
  return builtOnce(listEnvelopes, item, () => buildEnvelope(z.array(item)));
}

/** The v1 error envelope (§5). */
export const errorEnvelopeSchema = z.looseObject({
  status: z.literal(false),
  error: z.looseObject({
    code: z.string(),
    message: z.string().optional(),
    details: z.array(z.looseObject({ field: z.string().optional(), message: z.string().optional() })).optional(),
  }),
});

/**
 * A webhook push (§4 "Delivery"): the event id (the deduplication key), when it happened, its name,
 * and `data`, which the event name types (a §3.4 booking for `booking.*`, a customer for `customer.*`).
 */
export const webhookPushSchema = z.looseObject({
  id: z.string().min(1),
  timestamp: z.string().nullish(),
  event: z.string().min(1),
  data: z.unknown(),
});

/** The exact four-field token answer (§2.2). */
export const tokenAnswerSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().refine((t) => t.toLowerCase() === 'bearer', 'token_type must be Bearer'),
  expires_in: z.number().int().positive(),
  refresh_token: z.string().min(1),
});

export type CompanyRecord = z.infer<typeof companySchema>;
export type ServiceRecord = z.infer<typeof serviceSchema>;
export type CustomerRecord = z.infer<typeof customerSchema>;
export type BookingRecord = z.infer<typeof bookingSchema>;
export type SlotRecord = z.infer<typeof slotSchema>;
