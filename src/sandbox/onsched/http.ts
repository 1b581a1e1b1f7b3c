import { bearerChallenge } from '../framework/oauth.js';
import type { EmuRequest, EmuResponse } from '../framework/types.js';
import { parseYmd } from '../framework/util.js';

/**
 * OnSched's HTTP shapes (contract §3, §5): the V3 error envelope, the V1 list envelope with
 * offset/limit paging, JSON bodies and parameter checks.
 */

export const MEDIA_TYPE = 'application/json; charset=utf-8';

/** §5: the `code` of each status. */
const CODES: Record<number, string> = {
  400: 'validation_error',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'rate_limited',
};

/** `{"status":"error","message","code"}` with the §5 code. */
export function errorResponse(status: number, message: string, headers: Record<string, string> = {}): EmuResponse {
  const code = CODES[status] ?? (status >= 500 ? 'internal_error' : 'error');
  return { status, headers, body: { status: 'error', message, code } };
}

/** 401 for a bad or missing JWT, with the RFC 6750 challenge (README §4). */
export function unauthorizedToken(tokenSent: boolean, message: string): EmuResponse {
  return errorResponse(401, message, bearerChallenge(tokenSent, message));
}

/** Thrown by handlers to answer with an error; caught by `handle`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const fail = (status: number, message: string): never => {
  throw new ApiError(status, message);
};

/** Wraps a handler so `ApiError`s become §5 error answers. */
export function handle(fn: (req: EmuRequest) => Promise<EmuResponse> | EmuResponse) {
  return async (req: EmuRequest): Promise<EmuResponse> => {
    try {
      return await fn(req);
    } catch (err) {
      if (err instanceof ApiError) return errorResponse(err.status, err.message);
      throw err;
    }
  };
}

export const ok = (body: unknown, after?: () => void): EmuResponse => ({ status: 200, body, after });

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID_RE.test(v);

/** A path id: 400 when it is not a UUID (§3 "IDs"). */
export function pathId(req: EmuRequest, name = 'id'): string {
  const v = req.params[name];
  if (!isUuid(v)) fail(400, `${name} must be a UUID`);
  return v;
}

/** An optional UUID query parameter; 400 when present but malformed. */
export function queryUuid(req: EmuRequest, name: string): string | null {
  const v = req.query.get(name);
  if (v === null || v === '') return null;
  if (!isUuid(v)) fail(400, `${name} must be a UUID`);
  return v;
}

/** An optional `YYYY-MM-DD` query parameter. */
export function queryDate(req: EmuRequest, name: string): string | null {
  const v = req.query.get(name);
  if (v === null || v === '') return null;
  if (!parseYmd(v)) fail(400, `${name} must be a date YYYY-MM-DD`);
  return v;
}

/** An optional integer query parameter within [min, max]. */
export function queryInt(req: EmuRequest, name: string, min: number, max: number): number | null {
  const v = req.query.get(name);
  if (v === null || v === '') return null;
  if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) fail(400, `${name} must be an integer from ${min} to ${max}`);
  return Number(v);
}

export function queryBool(req: EmuRequest, name: string): boolean | null {
  const v = req.query.get(name);
  if (v === null || v === '') return null;
  if (v !== 'true' && v !== 'false') fail(400, `${name} must be true or false`);
  return v === 'true';
}

/** Default and maximum page size (§3 "Lists"). */
export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/** The `*ListViewModel` envelope for one page of `items` (offset/limit from the query; limit > 100 → 400). */
export function listPage<T>(req: EmuRequest, items: T[], view: (item: T) => unknown): unknown {
  const offset = queryInt(req, 'offset', 0, Number.MAX_SAFE_INTEGER) ?? 0;
  const limitRaw = req.query.get('limit');
  if (limitRaw !== null && limitRaw !== '' && /^\d+$/.test(limitRaw) && Number(limitRaw) > MAX_LIMIT) {
    fail(400, `limit must not exceed ${MAX_LIMIT}`);
  }
  const limit = queryInt(req, 'limit', 1, MAX_LIMIT) ?? DEFAULT_LIMIT;
  const page = items.slice(offset, offset + limit);
  return {
    object: 'list',
    url: req.path,
    hasMore: offset + page.length < items.length,
    count: page.length,
    total: items.length,
    data: page.map(view),
  };
}

/** Media types the V1 spec accepts for bodies (§3 "Bodies"): JSON, `application/*+json`, `text/json`. */
function isJsonMedia(type: string | null): boolean {
  return type === 'application/json' || type === 'text/json' || (type !== null && /^application\/[a-z0-9.+-]*\+json$/.test(type));
}

/**
 * The JSON object body of a request. `optional`: an empty body (any or no content type) is `{}`.
 * Wrong media type → 415; malformed JSON or a non-object → 400.
 */
export function jsonBody(req: EmuRequest, optional = false): Record<string, unknown> {
  if (optional && req.rawBody.length === 0) return {};
  if (!isJsonMedia(req.mediaType)) fail(415, `Content type ${req.mediaType ?? '(none)'} is not supported; send application/json`);
  const parsed = req.json();
  if (!parsed.ok) fail(400, 'The request body is not valid JSON');
  const value = (parsed as { ok: true; value: unknown }).value;
  if (value === undefined && optional) return {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail(400, 'The request body must be a JSON object');
  return value as Record<string, unknown>;
}

/** An optional string field (null/absent → null); 400 when of another type. */
export function str(body: Record<string, unknown>, name: string): string | null {
  const v = body[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') fail(400, `${name} must be a string`);
  return v as string;
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const isEmail = (v: string) => EMAIL_RE.test(v);

/** Case-insensitive equality for filters on names and e-mail addresses. */
export const sameText = (a: string | null, b: string) => a !== null && a.toLowerCase() === b.toLowerCase();
