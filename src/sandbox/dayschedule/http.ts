import { STATUS_CODES } from 'node:http';
import type { EmuRequest, EmuResponse } from '../framework/types.js';

/**
 * DaySchedule's error bodies and request helpers (dayschedule.md §3, §5): NestJS-style
 * `{statusCode, message, error}`, validation messages as an array of strings, the list envelope
 * and its 404 quirk for an empty page.
 */

export const MEDIA_TYPE = 'application/json; charset=utf-8';

/** The platform's error body for `status` (§5 table). */
export function dsError(status: number, message: string | string[]): EmuResponse {
  if (status === 401) return { status, body: { statusCode: 401, message: 'Unauthorized' }, headers: { 'www-authenticate': 'Bearer' } };
  if (status === 429) return { status, body: { statusCode: 429, message: 'ThrottlerException: Too Many Requests' } };
  if (status === 500) return { status, body: { statusCode: 500, message: 'Internal server error' } };
  if (status > 500) return { status, body: { statusCode: status, message: STATUS_CODES[status] ?? 'Server error' } };
  return { status, body: { statusCode: status, message, error: STATUS_CODES[status] ?? 'Error' } };
}

/** 400 with class-validator style messages. */
export const validation = (messages: string[]): EmuResponse => dsError(400, messages);
export const notFound = (message: string): EmuResponse => dsError(404, message);
export const conflict = (message: string): EmuResponse => dsError(409, message);
/** §5: the trigger API called with an `apiKey`. */
export const forbidden = (): EmuResponse => dsError(403, 'Forbidden resource');

export type Json = Record<string, unknown>;

/**
 * Reads a JSON object body (README §3): another media type → 415, malformed → 400, not an object →
 * 400 validation. With `optional`, an empty body without a media type reads as `{}`.
 */
export function readBody(req: EmuRequest, optional = false): { ok: true; body: Json } | { ok: false; response: EmuResponse } {
  if (optional && req.rawBody.length === 0 && req.mediaType === null) return { ok: true, body: {} };
  if (req.mediaType !== 'application/json') {
    return { ok: false, response: dsError(415, 'Content-Type must be application/json') };
  }
  const parsed = req.json();
  if (!parsed.ok) return { ok: false, response: dsError(400, 'Malformed JSON in request body') };
  const v = parsed.value;
  if (v === undefined && optional) return { ok: true, body: {} };
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { ok: false, response: validation(['request body must be a JSON object']) };
  return { ok: true, body: v as Json };
}

/** Parses a non-negative integer query parameter; pushes a message on failure. */
export function queryInt(query: URLSearchParams, name: string, errors: string[], bounds: { min?: number; max?: number } = {}): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (!/^-?\d+$/.test(raw)) {
    errors.push(`${name} must be an integer number`);
    return undefined;
  }
  const n = Number(raw);
  if (bounds.min !== undefined && n < bounds.min) errors.push(`${name} must not be less than ${bounds.min}`);
  else if (bounds.max !== undefined && n > bounds.max) errors.push(`${name} must not be greater than ${bounds.max}`);
  return n;
}

/** `limit` (default 20, 1–100) and `offset` (default 0) of §3. */
export function readPaging(query: URLSearchParams, errors: string[]): { limit: number; offset: number } {
  const limit = queryInt(query, 'limit', errors, { min: 1, max: 100 }) ?? 20;
  const offset = queryInt(query, 'offset', errors, { min: 0 }) ?? 0;
  return { limit, offset };
}

/**
 * The §3 list envelope `{offset, limit, total, returned, result}`; an empty page is the documented
 * 404 `No <noun> found`.
 */
export function listPage<T>(items: T[], paging: { limit: number; offset: number }, noun: string, map: (item: T) => unknown): EmuResponse {
  const page = items.slice(paging.offset, paging.offset + paging.limit);
  if (page.length === 0) return notFound(`No ${noun} found`);
  return {
    status: 200,
    body: { offset: paging.offset, limit: paging.limit, total: items.length, returned: page.length, result: page.map(map) },
  };
}

export const isObjectId = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{24}$/.test(v);
export const isEmail = (v: unknown): v is string => typeof v === 'string' && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v);
export const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

/** Whether `tz` is an IANA zone the runtime knows. */
export function isTimeZone(tz: unknown): tz is string {
  if (typeof tz !== 'string' || tz.length === 0) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Checks a path id of the 24-hex kind (§3); null when valid. */
export function badObjectId(name: string, value: string): EmuResponse | null {
  return isObjectId(value) ? null : validation([`${name} must be a mongodb id`]);
}
