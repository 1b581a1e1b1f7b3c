import type { EmuRequest, EmuResponse } from '../framework/types.js';

/**
 * The bookingtime answer shapes (contract §3 and §5): every answer is
 * `{"messageList":[…],"content":…}`; errors carry `content: null` and a message of type `failure`
 * (client side, < 500) or `error` (server side).
 */

export const MEDIA_TYPE = 'application/json; charset=utf-8';

/** Records per page of every `PAGINATION_LIST` (contract §3). */
export const RECORDS_PER_PAGE = 25;

/** The fixed texts of contract §5. */
export const TEXT = {
  unauthorized: 'Invalid or expired access token.',
  forbidden: 'Access to this organization is not allowed.',
  forbiddenApp: 'Access to this app is not allowed.',
  tooManyRequests: 'Too many requests.',
  missing: 'This parameter is missing.',
  invalid: 'This parameter is invalid.',
  notJson: 'The request body must be JSON (application/json).',
  malformedJson: 'The request body is not valid JSON.',
  notFound: 'The requested resource was not found.',
} as const;

export interface Message {
  parameter: string | null;
  text: string;
}

/** A success answer: 201 for `…/add`, 200 otherwise. */
export function ok(content: unknown, status = 200, text = ''): EmuResponse {
  return {
    status,
    body: { messageList: [{ class: 'MESSAGE', type: 'success', parameter: null, text }], content },
    contentType: MEDIA_TYPE,
  };
}

/** An error answer with one message per bad parameter (or one message with `parameter: null`). */
export function failure(status: number, messages: Message[] | string, headers?: Record<string, string>): EmuResponse {
  const list = typeof messages === 'string' ? [{ parameter: null, text: messages }] : messages;
  const type = status >= 500 ? 'error' : 'failure';
  return {
    status,
    headers,
    body: { messageList: list.map((m) => ({ class: 'MESSAGE', type, parameter: m.parameter, text: m.text })), content: null },
    contentType: MEDIA_TYPE,
  };
}

/** The platform error body the framework uses for 404, 405, 413 and injected faults. */
export function errorResponse(status: number, message: string): EmuResponse {
  if (status === 401) return failure(401, TEXT.unauthorized, { 'www-authenticate': 'Bearer' });
  if (status === 403) return failure(403, TEXT.forbidden);
  if (status === 429) return failure(429, TEXT.tooManyRequests);
  if (status === 404 && message === 'Not Found') return failure(404, TEXT.notFound);
  return failure(status, message);
}

/** `LIST`: an unpaged list. */
export function listOf(records: unknown[]) {
  return { class: 'LIST', recordTotal: records.length, recordLimit: 9999, recordList: records };
}

/** `PAGINATION_LIST` of page `page` (from 1); a page past the end has an empty `recordList`. */
export function paginate<T>(records: T[], page: number, render: (r: T) => unknown) {
  const from = (page - 1) * RECORDS_PER_PAGE;
  const slice = records.slice(from, from + RECORDS_PER_PAGE);
  return {
    class: 'PAGINATION_LIST',
    pageCurrent: page,
    pageTotal: Math.ceil(records.length / RECORDS_PER_PAGE),
    recordFrom: slice.length ? from + 1 : 0,
    recordTo: slice.length ? from + slice.length : 0,
    recordTotal: records.length,
    recordPerPage: RECORDS_PER_PAGE,
    recordList: slice.map(render),
  };
}

/** Parses a `{page}` path segment (integer ≥ 1); null when invalid. */
export function parsePage(value: string): number | null {
  if (!/^\d{1,6}$/.test(value)) return null;
  const n = Number(value);
  return n >= 1 ? n : null;
}

export const badPage = () => failure(400, [{ parameter: 'page', text: TEXT.invalid }]);

/**
 * Reads a JSON object body (README §3): another media type → 415, malformed JSON or a non-object → 400.
 */
export function readJsonObject(req: EmuRequest): { ok: true; body: Record<string, unknown> } | { ok: false; response: EmuResponse } {
  if (req.mediaType !== 'application/json') return { ok: false, response: failure(415, TEXT.notJson) };
  const parsed = req.json();
  if (!parsed.ok) return { ok: false, response: failure(400, TEXT.malformedJson) };
  const v = parsed.value;
  if (!v || typeof v !== 'object' || Array.isArray(v)) {
    return { ok: false, response: failure(400, 'The request body must be a JSON object.') };
  }
  return { ok: true, body: v as Record<string, unknown> };
}
