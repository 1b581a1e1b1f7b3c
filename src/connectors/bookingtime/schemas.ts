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

/**
 * Every answer: `{"messageList":[…],"content":…}` (§3, documented). Used only below, at module
 * level: each answer schema is built once, when this module loads, never per call.
 */
const envelopeOf = <T extends z.ZodType>(content: T) => z.looseObject({ messageList: z.array(messageSchema).default([]), content });

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
const listOf = <T extends z.ZodType>(record: T) => z.looseObject({ recordList: z.array(record) });

/** `PAGINATION_LIST`; `page` starts at 1, a page past the end is empty (§3). */
const paginationListOf = <T extends z.ZodType>(record: T) => z.looseObject({ pageCurrent: count, pageTotal: count, recordList: z.array(record) });

/** `RANGE_LIST` of a calendar range in the organization's time zone; `rangeEnd` is its last second (§3). */
const rangeListOf = <T extends z.ZodType>(record: T) =>
  z.looseObject({ rangeEnd: z.string().nullish(), timeZone: z.string().nullish(), list: z.array(record) });

/**
 * Whole answers (envelope and content), one per route shape the connector reads; the client parses
 * a response with one of these and hands back its `content`.
 */
export const answers = {
  organization: envelopeOf(organizationSchema),
  organizationList: envelopeOf(listOf(organizationSchema)),
  bookingTemplate: envelopeOf(bookingTemplateSchema),
  bookingTemplateList: envelopeOf(listOf(bookingTemplateSchema)),
  customer: envelopeOf(customerSchema),
  customerPage: envelopeOf(paginationListOf(customerSchema)),
  appointment: envelopeOf(appointmentSchema),
  appointmentPage: envelopeOf(paginationListOf(appointmentSchema)),
  appointmentRange: envelopeOf(rangeListOf(appointmentSchema)),
  bookingSlotRange: envelopeOf(rangeListOf(bookingSlotSchema)),
};

/** An answer schema of `answers`: an envelope whose `content` the client returns. */
export type Answer = z.ZodType<{ content: unknown }>;
/** What the client returns for an answer schema: its parsed `content`. */
export type ContentOf<A extends Answer> = z.infer<A>['content'];
/** An answer schema of a `PAGINATION_LIST` of `R` records. */
export type PageAnswer<R> = z.ZodType<{ content: { pageTotal: number; recordList: R[] } }>;

export type OrganizationRecord = z.infer<typeof organizationSchema>;
export type BookingTemplateRecord = z.infer<typeof bookingTemplateSchema>;
export type CustomerRecord = z.infer<typeof customerSchema>;
export type AppointmentRecord = z.infer<typeof appointmentSchema>;
export type BookingSlotRecord = z.infer<typeof bookingSlotSchema>;
/** One month (or other calendar range) of an organization's appointments (§3.4). */
export type AppointmentRange = ContentOf<typeof answers.appointmentRange>;
