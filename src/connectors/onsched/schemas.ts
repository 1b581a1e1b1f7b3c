import { z } from 'zod';
import { builtOnce } from '../util.js';

/** zod schemas of OnSched's payloads (contract §2–§5, V1 view models); unknown fields pass through. */

/** `POST /v3/auth/token` answer (§2.2): no `expires_in`, the expiry is in the JWT. */
export const tokenAnswerSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().refine((t) => t.toLowerCase() === 'bearer', 'token_type must be bearer'),
  refresh_token: z.string().min(1),
});

/** `CompanyViewModel` (§3.1). */
export const companySchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  timezoneName: z.string().nullish(),
});

/** `LocationViewModel` (§3.1). */
export const locationSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().nullish(),
  primaryBusiness: z.boolean().nullish(),
  timezoneIana: z.string().nullish(),
});

/** `ServiceViewModel` (§3.2). */
export const serviceSchema = z.looseObject({
  id: z.string().min(1),
  companyId: z.string().nullish(),
  locationId: z.string().nullish(),
  name: z.string(),
  description: z.string().nullish(),
  duration: z.number().nullish(),
  feeAmount: z.number().nullish(),
});

/** `CustomerViewModel` (§3.3). */
export const customerSchema = z.looseObject({
  id: z.string().min(1),
  locationId: z.string().nullish(),
  firstname: z.string().nullish(),
  lastname: z.string().nullish(),
  name: z.string().nullish(),
  email: z.string().nullish(),
  contact: z
    .looseObject({
      mobilePhone: z.string().nullish(),
      homePhone: z.string().nullish(),
      businessPhone: z.string().nullish(),
    })
    .nullish(),
});

/** An ISO 8601 instant with an offset (`2025-03-11T10:00:00-04:00`, §3 "Times"). */
const instant = z
  .string()
  .refine((s) => /[T ]\d{2}:\d{2}/.test(s) && /(Z|[+-]\d{2}:?\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)), 'must be ISO 8601 with an offset');

/** `AppointmentViewModel` (§3.4). */
export const appointmentSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string(),
  startDateTime: instant,
  endDateTime: instant,
  timezoneIana: z.string().nullish(),
  locationId: z.string().nullish(),
  serviceId: z.string().nullish(),
  resourceId: z.string().nullish(),
  customerId: z.string().nullish(),
  createDate: z.string().nullish(),
  lastModifiedOn: z.string().nullish(),
});

/** One `availableTimes[]` entry of `AvailabilityViewModel` (§3.5). */
export const availableTimeSchema = z.looseObject({
  startDateTime: instant,
  endDateTime: instant,
  resourceId: z.string().nullish(),
  availableBookings: z.number().nullish(),
});

export const availabilitySchema = z.looseObject({
  serviceId: z.string().nullish(),
  locationId: z.string().nullish(),
  availableTimes: z.array(availableTimeSchema).default([]),
});

/** A V3 webhook of a location (§4); `headers` are sent with every delivery. */
export const webhookSchema = z.looseObject({
  id: z.string().nullish(),
  locationId: z.string().nullish(),
  url: z.string(),
  headers: z.record(z.string(), z.string()).nullish(),
  triggers: z.array(z.string()),
  active: z.boolean().nullish(),
});

/** `GET /v3/webhook` and `POST /v3/webhook/setWebhooks` answer: `{"status","data":[…]}` (§4). */
export const webhookListSchema = z.looseObject({ data: z.array(webhookSchema) });

/** `POST /v3/webhook` answer: `{"status","data":{…}}` (§4). */
export const webhookAnswerSchema = z.looseObject({ data: webhookSchema });

/** A webhook delivery (§4): the appointment (§3.4, sensitive fields left out) and the trigger. */
export const webhookPayloadSchema = z.looseObject({
  appointment: appointmentSchema,
  trigger: z.string(),
});

const buildListOf = <T extends z.ZodType>(item: T) =>
  z.looseObject({
    hasMore: z.boolean().optional(),
    count: z.number().optional(),
    total: z.number().optional(),
    data: z.array(item),
  });

/** A `*ListViewModel` page of `T` items. */
export type ListSchema<T extends z.ZodType> = ReturnType<typeof buildListOf<T>>;

const lists = new WeakMap<z.ZodType, z.ZodType>();

/**
 * A `*ListViewModel` page of `item`s (§3 "Lists"), built once per item schema and reused: building a
 * zod schema costs far more than parsing with a built one, so no request path builds its own.
 */
export function listOf<T extends z.ZodType>(item: T): ListSchema<T> {
  return builtOnce(lists, item, () => buildListOf(item));
}

/** The V3 error envelope (§5). */
export const errorEnvelopeSchema = z.looseObject({
  message: z.string().optional(),
  code: z.string().optional(),
});

export type Company = z.infer<typeof companySchema>;
export type Location = z.infer<typeof locationSchema>;
export type Service = z.infer<typeof serviceSchema>;
export type Customer = z.infer<typeof customerSchema>;
export type Appointment = z.infer<typeof appointmentSchema>;
export type AvailableTime = z.infer<typeof availableTimeSchema>;
export type Webhook = z.infer<typeof webhookSchema>;
