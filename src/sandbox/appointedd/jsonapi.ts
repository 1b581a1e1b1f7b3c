import type { EmuRequest, EmuResponse } from '../framework/types.js';
import { parseInstant } from '../framework/util.js';
import { OBJECT_ID } from './model.js';

/**
 * JSON:API 1.0 plumbing of the Appointedd emulator (contract §3 and §5): media type, error
 * documents, documents, query-parameter checks, cursor paging and request bodies.
 */

/** Responses carry the JSON:API media type with no parameters (JSON:API 1.0 "Content Negotiation"). */
export const JSONAPI_MEDIA_TYPE = 'application/vnd.api+json';

const CODES: Record<number, { code: string; title: string }> = {
  400: { code: 'bad_request', title: 'Bad request' },
  401: { code: 'unauthorized', title: 'Unauthorized' },
  403: { code: 'forbidden', title: 'Forbidden' },
  404: { code: 'not_found', title: 'Not found' },
  405: { code: 'method_not_allowed', title: 'Method not allowed' },
  409: { code: 'conflict', title: 'Conflict' },
  413: { code: 'payload_too_large', title: 'Payload too large' },
  415: { code: 'unsupported_media_type', title: 'Unsupported media type' },
  422: { code: 'validation_error', title: 'Validation failed' },
  429: { code: 'rate_limited', title: 'Too many requests' },
};

export interface ErrorSource {
  pointer?: string;
  parameter?: string;
}

/** A thrown API failure; route handlers turn it into an error document. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly source?: ErrorSource,
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
  }
}

/** The §5 error document for `status` (500/503 and other 5xx: `server_error`). */
export function errorDocument(status: number, detail: string, source?: ErrorSource, headers?: Record<string, string>): EmuResponse {
  const known = CODES[status] ?? (status >= 500 ? { code: 'server_error', title: 'Server error' } : { code: 'error', title: 'Error' });
  const error: Record<string, unknown> = { status: String(status), code: known.code, title: known.title, detail };
  if (source) error.source = source;
  const out: Record<string, string> = { ...headers };
  if (status === 401 && !out['www-authenticate']) out['www-authenticate'] = 'Bearer';
  return { status, headers: out, body: { jsonapi: { version: '1.0' }, errors: [error] } };
}

/** Runs a handler, turning a thrown `ApiError` into its error document. */
export async function guard(run: () => EmuResponse | Promise<EmuResponse>): Promise<EmuResponse> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ApiError) return errorDocument(err.status, err.detail, err.source, err.headers);
    throw err;
  }
}

/** The serving origin: the request's Host when it looks like one, else the emulator's own. */
export function originOf(req: EmuRequest, fallback: string): string {
  const host = req.headers.host;
  return host && /^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$/.test(host) ? `http://${host}` : fallback;
}

/** The absolute URL of the current request (path and query as received, re-encoded). */
export function selfUrl(req: EmuRequest, origin: string, query: URLSearchParams = req.query): string {
  const qs = query.toString();
  return `${origin}${req.path}${qs ? `?${qs}` : ''}`;
}

/** A single-resource document. */
export function single(resource: unknown, self: string, status = 200, headers?: Record<string, string>): EmuResponse {
  return { status, headers, body: { jsonapi: { version: '1.0' }, data: resource, links: { self } } };
}

/**
 * JSON:API reserved features the platform does not support (`include`, `sort`, sparse `fields`)
 * → 400, as JSON:API 1.0 requires of servers that do not support them.
 */
export function rejectUnsupported(query: URLSearchParams): void {
  for (const key of query.keys()) {
    if (key === 'include' || key === 'sort' || key === 'fields' || key.startsWith('fields[')) {
      throw new ApiError(400, `The "${key}" query parameter is not supported.`, { parameter: key });
    }
  }
}

/** The single value of a query parameter; null when absent, 400 when repeated or empty. */
export function oneParam(query: URLSearchParams, name: string): string | null {
  const all = query.getAll(name);
  if (all.length === 0) return null;
  if (all.length > 1) throw new ApiError(400, `${name} must be given once.`, { parameter: name });
  if (all[0] === '') throw new ApiError(400, `${name} must not be empty.`, { parameter: name });
  return all[0];
}

/** A comma-separated list filter (null when absent); every item must be non-empty. */
export function listParam(query: URLSearchParams, name: string): string[] | null {
  const value = oneParam(query, name);
  if (value === null) return null;
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new ApiError(400, `${name} must be a comma-separated list.`, { parameter: name });
  return items;
}

/** A list of ObjectIds (400 when one is malformed). */
export function idListParam(query: URLSearchParams, name: string): string[] | null {
  const items = listParam(query, name);
  if (items?.some((s) => !OBJECT_ID.test(s))) throw new ApiError(400, `${name} must hold 24-character hexadecimal ids.`, { parameter: name });
  return items;
}

/** An ISO 8601 instant with an offset (epoch ms), or null when absent. */
export function instantParam(query: URLSearchParams, name: string): number | null {
  const value = oneParam(query, name);
  if (value === null) return null;
  const d = parseInstant(value);
  if (!d) throw new ApiError(400, `${name} must be an ISO 8601 date-time with an offset.`, { parameter: name });
  return d.getTime();
}

export interface PageRequest {
  limit: number;
  start: string | null;
  end: string | null;
}

/** Reads `page[limit]` (1–100, default 10), `page[start]`, `page[end]` (contract §3). */
export function pageParams(query: URLSearchParams): PageRequest {
  const rawLimit = oneParam(query, 'page[limit]');
  let limit = 10;
  if (rawLimit !== null) {
    if (!/^\d+$/.test(rawLimit) || Number(rawLimit) < 1 || Number(rawLimit) > 100) {
      throw new ApiError(400, 'page[limit] must be an integer from 1 to 100.', { parameter: 'page[limit]' });
    }
    limit = Number(rawLimit);
  }
  const start = oneParam(query, 'page[start]');
  const end = oneParam(query, 'page[end]');
  if (start !== null && end !== null) {
    throw new ApiError(400, 'page[start] and page[end] cannot be combined.', { parameter: 'page[end]' });
  }
  for (const [name, value] of [
    ['page[start]', start],
    ['page[end]', end],
  ] as const) {
    if (value !== null && !OBJECT_ID.test(value)) throw new ApiError(400, `${name} must be a 24-character hexadecimal id.`, { parameter: name });
  }
  return { limit, start, end };
}

/**
 * A paged collection document over `items` (already filtered and in natural order):
 * `page[start]=id` begins the page with that item, `page[end]=id` ends it with it; `links.next` and
 * `links.prev` are complete URLs (null at the ends); `meta.total` counts every match.
 * An id that is not among the matches → 400.
 */
export function paged<T extends { id: string }>(req: EmuRequest, origin: string, page: PageRequest, items: T[], render: (item: T) => unknown): EmuResponse {
  let from = 0;
  let to = Math.min(items.length, page.limit);
  if (page.start !== null) {
    from = items.findIndex((i) => i.id === page.start);
    if (from < 0) throw new ApiError(400, 'page[start] does not name an item of this collection.', { parameter: 'page[start]' });
    to = Math.min(items.length, from + page.limit);
  } else if (page.end !== null) {
    const last = items.findIndex((i) => i.id === page.end);
    if (last < 0) throw new ApiError(400, 'page[end] does not name an item of this collection.', { parameter: 'page[end]' });
    to = last + 1;
    from = Math.max(0, to - page.limit);
  }
  const link = (cursor: 'page[start]' | 'page[end]', id: string) => {
    const q = new URLSearchParams(req.query);
    q.delete('page[start]');
    q.delete('page[end]');
    q.set(cursor, id);
    return selfUrl(req, origin, q);
  };
  return {
    status: 200,
    body: {
      jsonapi: { version: '1.0' },
      data: items.slice(from, to).map(render),
      links: {
        self: selfUrl(req, origin),
        next: to < items.length ? link('page[start]', items[to].id) : null,
        prev: from > 0 ? link('page[end]', items[from - 1].id) : null,
      },
      meta: { total: items.length },
    },
  };
}

/**
 * Reads a request document: the body must be exactly `application/vnd.api+json` (no parameters) →
 * else 415; malformed JSON → 400. `optional` allows an empty body (returns undefined).
 */
export function readDocument(req: EmuRequest, optional = false): Record<string, unknown> | undefined {
  if (optional && req.rawBody.length === 0) return undefined;
  if ((req.headers['content-type'] ?? '').trim().toLowerCase() !== JSONAPI_MEDIA_TYPE) {
    throw new ApiError(415, `Request bodies must be sent as ${JSONAPI_MEDIA_TYPE} without media type parameters.`);
  }
  const parsed = req.json();
  if (!parsed.ok) throw new ApiError(400, 'The request body is not valid JSON.');
  const value = parsed.value;
  if (value === undefined && optional) return undefined;
  if (!isObject(value)) throw new ApiError(422, 'The request document must be a JSON object.', { pointer: '' });
  return value;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The primary resource object of a create request: an object whose `type` is `type` (other type →
 * 409, as JSON:API requires), with no client-generated `id` (→ 403, as JSON:API requires).
 */
export function primaryData(doc: Record<string, unknown>, type: string): Record<string, unknown> {
  const data = doc.data;
  if (!isObject(data)) throw new ApiError(422, 'data must be a resource object.', { pointer: '/data' });
  if (typeof data.type !== 'string') throw new ApiError(422, 'data.type is required.', { pointer: '/data/type' });
  if (data.type !== type) throw new ApiError(409, `data.type must be "${type}".`, { pointer: '/data/type' });
  if (data.id !== undefined) throw new ApiError(403, 'Client-generated ids are not supported.', { pointer: '/data/id' });
  for (const member of ['attributes', 'relationships'] as const) {
    if (data[member] !== undefined && !isObject(data[member])) throw new ApiError(422, `${member} must be an object.`, { pointer: `/data/${member}` });
  }
  return data;
}

/** The `{type, id}` of a to-one relationship in a request (undefined when absent; 422 when malformed). */
export function toOne(data: Record<string, unknown>, name: string, type: string): string | undefined {
  const rels = (data.relationships ?? {}) as Record<string, unknown>;
  const rel = rels[name];
  if (rel === undefined) return undefined;
  const pointer = `/data/relationships/${name}`;
  if (!isObject(rel) || !isObject(rel.data)) throw new ApiError(422, `${name} must be a to-one relationship with data.`, { pointer });
  if (rel.data.type !== type) throw new ApiError(422, `${name}.data.type must be "${type}".`, { pointer: `${pointer}/data/type` });
  if (typeof rel.data.id !== 'string' || !OBJECT_ID.test(rel.data.id)) {
    throw new ApiError(422, `${name}.data.id must be a 24-character hexadecimal id.`, { pointer: `${pointer}/data/id` });
  }
  return rel.data.id;
}
