import { z } from 'zod';

/**
 * zod schemas of bookingtime's payloads (contract §2, §3); unknown fields pass through and record
 * schemas transform nothing, so a parsed record is still the platform's own record (`raw`).
 */

/** Counts and lifetimes: integers, or numeric strings where the SDK mocks and docs show strings (§3). */
const count = z.union([z.number(), z.string().regex(/^\d+$/)]).transform(Number);
/** A number field of a record, kept as sent (records stay untouched for `raw`; mapping converts). */
const numeric = z.union([z.number(), z.string()]);

export const refreshAnswerSchema = z.looseObject({
  refresh_token: z.string().min(1),
  token_type: z.string().refine((t) => t.toLowerCase() === 'bearer', 'token_type must be Bearer'),
  expires_in: count.pipe(z.number().int().positive()),
});

export const accessAnswerSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().refine((t) => t.toLowerCase() === 'bearer', 'token_type must be Bearer'),
  expires_in: count.pipe(z.number().int().positive()),
});

export const messageSchema = z.looseObject({
  type: z.string().nullish(),
  parameter: z.string().nullish(),
  text: z.string().nullish(),
});

/** Every answer: `{"messageList":[…],"content":…}` (§3, documented). */
export const envelopeOf = <T extends z.ZodType>(content: T) => z.looseObject({ messageList: z.array(messageSchema).default([]), content });

export const errorEnvelopeSchema = z.looseObject({ messageList: z.array(messageSchema) });

export const organizationSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  timeZone: z.string().nullish(),
});

export const bookingTemplateSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  description: z.string().nullish(),
  duration: numeric.nullish(),
  showPrice: z.boolean().nullish(),
  priceGross: numeric.nullish(),
  currency: z.string().nullish(),
});

const customerShortSchema = z.looseObject({
  id: z.string(),
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
  organizationId: z.string().nullish(),
});

/** `CUSTOMER` (full form); the short form parses too, without contact fields. */
export const customerSchema = customerShortSchema.extend({
  email: z.string().nullish(),
  telephone: z.string().nullish(),
  mobile: z.string().nullish(),
});

export const appointmentSchema = z.looseObject({
  id: z.string(),
  start: z.string(),
  end: z.string(),
  timeZone: z.string().nullish(),
  canceled: z.boolean().nullish(),
  moved: z.boolean().nullish(),
  bookingTemplateId: z.string().nullish(),
  customer: z.looseObject({ id: z.string() }).nullish(),
  timestampAdd: z.string().nullish(),
  timestampEdit: z.string().nullish(),
  organizationId: z.string().nullish(),
});

export const bookingSlotSchema = z.looseObject({
  id: z.string(),
  timestamp: z.string(),
});

/** `LIST` (unpaged). */
export const listOf = <T extends z.ZodType>(record: T) => z.looseObject({ recordList: z.array(record) });

/** `PAGINATION_LIST`; `page` starts at 1, a page past the end is empty (§3). */
export const paginationListOf = <T extends z.ZodType>(record: T) => z.looseObject({ pageCurrent: count, pageTotal: count, recordList: z.array(record) });

/** `RANGE_LIST` of a calendar range in the organization's time zone. */
export const rangeListOf = <T extends z.ZodType>(record: T) => z.looseObject({ timeZone: z.string().nullish(), list: z.array(record) });

export type OrganizationRecord = z.infer<typeof organizationSchema>;
export type BookingTemplateRecord = z.infer<typeof bookingTemplateSchema>;
export type CustomerRecord = z.infer<typeof customerSchema>;
export type AppointmentRecord = z.infer<typeof appointmentSchema>;
export type BookingSlotRecord = z.infer<typeof bookingSlotSchema>;
