import { z } from 'zod';

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

/** A JSON:API document with one resource or a list, plus paging links. */
export const documentOf = <T extends z.ZodType>(resource: T) =>
  z.looseObject({
    data: resource,
    links: z.looseObject({ next: z.string().nullish() }).optional(),
    meta: z.looseObject({ total: z.number().optional() }).optional(),
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
