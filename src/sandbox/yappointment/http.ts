import type { Clock } from '../framework/clock.js';
import type { EmuRequest, EmuResponse } from '../framework/types.js';

/**
 * The v1 envelope and error shape (§3 "Envelope", §5) and the request-body rules shared by every
 * API route: JSON only (415 otherwise), an empty body counts as `{}`, malformed JSON is a 400.
 */

export const MEDIA_TYPE = 'application/json; charset=utf-8';

/** Default `error.code` per status (§5); 405/413 are Assumed names. */
const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'RATE_LIMITED',
  500: 'INTERNAL_ERROR',
  503: 'SERVICE_UNAVAILABLE',
};

export interface FieldError {
  field: string;
  message: string;
}

export class Envelope {
  constructor(private readonly clock: Clock) {}

  /** `{status:true,data,meta:{timestamp,version}}`. */
  ok(data: unknown, status = 200): EmuResponse {
    return { status, body: { status: true, data, meta: { timestamp: this.clock.now(), version: 'v1' } } };
  }

  /** One page of `items` with `meta.pagination` (§3 "Paging"). */
  page(items: readonly unknown[], page: number, limit: number): EmuResponse {
    const total = items.length;
    const totalPages = Math.ceil(total / limit);
    return {
      status: 200,
      body: {
        status: true,
        data: items.slice((page - 1) * limit, page * limit),
        meta: { timestamp: this.clock.now(), version: 'v1', pagination: { page, limit, total, totalPages, hasMore: page < totalPages } },
      },
    };
  }

  /** `{status:false,error:{code,message,details?},meta:{timestamp}}` (§5). */
  error(status: number, message: string, opts: { code?: string; details?: FieldError[]; headers?: Record<string, string> } = {}): EmuResponse {
    const code = opts.code ?? CODES[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST');
    const error: Record<string, unknown> = { code, message };
    if (opts.details) error.details = opts.details;
    return { status, headers: opts.headers, body: { status: false, error, meta: { timestamp: this.clock.now() } } };
  }

  /** 400 `VALIDATION_ERROR` with one entry per bad field. */
  invalid(details: FieldError[]): EmuResponse {
    return this.error(400, details.map((d) => `${d.field}: ${d.message}`).join('; '), { code: 'VALIDATION_ERROR', details });
  }
}

/**
 * Reads a JSON-object body: no body → `{}`; a body with another media type → 415; malformed
 * JSON → 400 `BAD_REQUEST`; a JSON value that is not an object → 400 `VALIDATION_ERROR`.
 */
export function readObjectBody(req: EmuRequest, env: Envelope): { ok: true; body: Record<string, unknown> } | { ok: false; response: EmuResponse } {
  if (req.rawBody.length === 0 && (req.mediaType === null || req.mediaType === 'application/json')) return { ok: true, body: {} };
  if (req.mediaType !== 'application/json') {
    return { ok: false, response: env.error(415, 'Content-Type must be application/json') };
  }
  const parsed = req.json();
  if (!parsed.ok) return { ok: false, response: env.error(400, 'Malformed JSON body') };
  const value = parsed.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, response: env.invalid([{ field: 'body', message: 'must be a JSON object' }]) };
  }
  return { ok: true, body: value as Record<string, unknown> };
}

/** Paging of list bodies (§3): `page` ≥ 1 (default 1), `limit` 1–100 (default 20). */
export function readPaging(body: Record<string, unknown>, errors: FieldError[]): { page: number; limit: number } {
  const page = body.page ?? 1;
  const limit = body.limit ?? 20;
  if (!Number.isInteger(page) || (page as number) < 1) errors.push({ field: 'page', message: 'must be an integer >= 1' });
  if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > 100) {
    errors.push({ field: 'limit', message: 'must be an integer between 1 and 100' });
  }
  return { page: page as number, limit: limit as number };
}

/** The `filter` object of a list body (absent → `{}`). */
export function readFilter(body: Record<string, unknown>, errors: FieldError[]): Record<string, unknown> {
  const filter = body.filter ?? {};
  if (filter === null || typeof filter !== 'object' || Array.isArray(filter)) {
    errors.push({ field: 'filter', message: 'must be an object' });
    return {};
  }
  return filter as Record<string, unknown>;
}

/** An optional string field; records an error when present with another type. */
export function optionalString(obj: Record<string, unknown>, key: string, field: string, errors: FieldError[]): string | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') {
    errors.push({ field, message: 'must be a string' });
    return undefined;
  }
  return v;
}

/** A required non-empty string field. */
export function requiredString(obj: Record<string, unknown>, key: string, errors: FieldError[]): string {
  const v = obj[key];
  if (typeof v !== 'string' || v.trim() === '') {
    errors.push({ field: key, message: v === undefined ? 'is required' : 'must be a non-empty string' });
    return '';
  }
  return v;
}
