import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SecretBox } from '../store/secret-box.js';
import { GatewayError } from './errors.js';

/**
 * Opaque cursors. A merged booking cursor is the keyset position of the last edge handed out:
 * (startsAt, connectionId, ref). Every connection's own position follows from it (see
 * `connectionBound`), so paging never skips or repeats a booking even when connections are added
 * or platforms page differently.
 *
 * What a client sees is signed (`CursorCodec`): `<payload>.<tag>`, the tag an HMAC-SHA-256 over the
 * tenant and the payload with a key derived from the encryption key, so a cursor that was forged,
 * edited, or issued to another tenant is refused before anything reads it.
 */

export interface BookingPosition {
  startsAt: number;
  connectionId: string;
  ref: string;
}

export interface ListPosition {
  /** Connection whose list is being walked. */
  connectionId: string;
  /** That connector's own cursor for its next page (null = its first page). */
  cursor: string | null;
  /** How many of that page were already handed out. */
  skip: number;
}

/** Largest payload accepted, in base64url characters. */
const MAX_PAYLOAD_CHARS = 4_096;
/** The range of a JavaScript Date, in ms either side of the epoch (ECMA-262 §21.4.1.22). */
const MAX_TIME_MS = 8.64e15;

const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 1_024;

function encode(kind: string, value: unknown): string {
  return Buffer.from(JSON.stringify([kind, value]), 'utf8').toString('base64url');
}

function decode<T>(kind: string, cursor: string, check: (v: unknown) => v is T): T | null {
  if (cursor.length > MAX_PAYLOAD_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(parsed) || parsed[0] !== kind) return null;
    return check(parsed[1]) ? parsed[1] : null;
  } catch {
    return null;
  }
}

/** The unsigned payload of a booking cursor (`CursorCodec` signs it). */
export function encodeBookingCursor(p: BookingPosition): string {
  return encode('b1', [p.startsAt, p.connectionId, p.ref]);
}

/** A booking cursor's payload back to its position; null unless well-formed with a time a Date can hold (±8.64e15 ms, a step either side to spare). */
export function decodeBookingCursor(cursor: string): BookingPosition | null {
  const v = decode(
    'b1',
    cursor,
    (x): x is [number, string, string] =>
      Array.isArray(x) &&
      x.length === 3 &&
      Number.isInteger(x[0]) &&
      Math.abs(x[0]) < MAX_TIME_MS &&
      isId(x[1]) &&
      typeof x[2] === 'string' &&
      x[2].length <= 1_024,
  );
  return v ? { startsAt: v[0], connectionId: v[1], ref: v[2] } : null;
}

/** The unsigned payload of a list cursor (`CursorCodec` signs it). */
export function encodeListCursor(p: ListPosition): string {
  return encode('l1', [p.connectionId, p.cursor, p.skip]);
}

export function decodeListCursor(cursor: string): ListPosition | null {
  const v = decode(
    'l1',
    cursor,
    (x): x is [string, string | null, number] =>
      Array.isArray(x) &&
      x.length === 3 &&
      isId(x[0]) &&
      (x[1] === null || (typeof x[1] === 'string' && x[1].length <= 1_024)) &&
      Number.isSafeInteger(x[2]) &&
      x[2] >= 0,
  );
  return v ? { connectionId: v[0], cursor: v[1], skip: v[2] } : null;
}

/**
 * The exclusive lower bound a connection must page after, given the merged position `p` and the
 * merged order (startsAt, connectionId, ref):
 * - the connection of `p`: after (startsAt, ref);
 * - a connection ordered before it: everything at `startsAt` was already handed out;
 * - a connection ordered after it: nothing at `startsAt` was handed out yet.
 */
export function connectionBound(p: BookingPosition, connectionId: string): { startsAt: Date; ref: string } {
  if (connectionId === p.connectionId) return { startsAt: new Date(p.startsAt), ref: p.ref };
  if (connectionId < p.connectionId) return { startsAt: new Date(p.startsAt + 1), ref: '' };
  // Strictly after (startsAt - 0, '') admits every ref at startsAt except '' (refs are never empty).
  return { startsAt: new Date(p.startsAt), ref: '' };
}

/** Merged order of bookings across connections. */
export function compareMerged(a: { startsAt: Date; connectionId: string; ref: string }, b: { startsAt: Date; connectionId: string; ref: string }): number {
  return (
    a.startsAt.getTime() - b.startsAt.getTime() ||
    (a.connectionId < b.connectionId ? -1 : a.connectionId > b.connectionId ? 1 : 0) ||
    (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0)
  );
}

/** A webhook delivery cursor: the subscription listed and the last delivery id handed out. */
export interface DeliveryPosition {
  subscriptionId: string;
  deliveryId: string;
}

/** The HKDF `info` of the cursor key (RFC 5869 §3.2): a key of its own, never the encryption key. */
export const CURSOR_KEY_PURPOSE = 'bookgraph cursor hmac v1';

/** Bytes of HMAC-SHA-256 kept in a cursor: 128 bits. */
const TAG_BYTES = 16;

/**
 * Signs and checks the cursors clients see: `<payload>.<tag>`, the tag HMAC-SHA-256 (first 128
 * bits) over the tenant id and the payload. `keys` are HMAC keys, the first signs, every one verifies
 * (so cursors survive an encryption-key rotation that keeps the old key listed).
 *
 * The `decode*` methods take what the client sent as `after` and return the position, or throw
 * `GatewayError('BAD_USER_INPUT')` with a message that says why: empty, not signed by this gateway
 * for this tenant (forged, edited, another tenant's, from before cursors were signed), or of
 * another list.
 */
export class CursorCodec {
  private readonly keys: readonly Buffer[];
  /** Booking cursors by model (models are shared between a connection's requests): signed once each. */
  private readonly bookingCursors = new WeakMap<object, { tenantId: string; cursor: string }>();

  constructor(keys: readonly Buffer[]) {
    if (keys.length === 0 || keys.some((k) => k.length < 32)) throw new Error('CursorCodec needs keys of at least 32 bytes');
    this.keys = keys;
  }

  /** Keys derived from the encryption keys (HKDF, `CURSOR_KEY_PURPOSE`): the same on every instance that shares them. */
  static fromSecretBox(box: SecretBox): CursorCodec {
    return new CursorCodec(box.derivedKeys(CURSOR_KEY_PURPOSE));
  }

  private tag(key: Buffer, tenantId: string, payload: string): Buffer {
    return createHmac('sha256', key).update(`${tenantId}\u0000${payload}`, 'utf8').digest().subarray(0, TAG_BYTES);
  }

  private sign(tenantId: string, payload: string): string {
    return `${payload}.${this.tag(this.keys[0], tenantId, payload).toString('base64url')}`;
  }

  /** The payload of a cursor signed for `tenantId`, else a BAD_USER_INPUT naming `argName`. */
  private verify(tenantId: string, cursor: string, argName: string): string {
    if (cursor === '') throw new GatewayError('BAD_USER_INPUT', `\`${argName}\` is empty: pass an endCursor this list returned, or leave it out`);
    const dot = cursor.lastIndexOf('.');
    const payload = dot > 0 ? cursor.slice(0, dot) : '';
    const tag = dot > 0 ? Buffer.from(cursor.slice(dot + 1), 'base64url') : Buffer.alloc(0);
    const ok =
      payload.length <= MAX_PAYLOAD_CHARS &&
      tag.length === TAG_BYTES &&
      /^[A-Za-z0-9_-]+$/.test(cursor.slice(dot + 1)) &&
      this.keys.some((key) => timingSafeEqual(this.tag(key, tenantId, payload), tag));
    if (!ok) {
      throw new GatewayError(
        'BAD_USER_INPUT',
        `\`${argName}\` is not a cursor this gateway issued to you: pass an endCursor this list returned (cursors are signed and bound to your API key's tenant)`,
      );
    }
    return payload;
  }

  private wrongList(argName: string): GatewayError {
    return new GatewayError('BAD_USER_INPUT', `\`${argName}\` is not a cursor of this list: pass an endCursor this list returned`);
  }

  /** The signed cursor of a booking edge (cached per model). */
  bookingCursor(tenantId: string, node: { startsAt: Date; connectionId: string; ref: string }): string {
    const seen = this.bookingCursors.get(node);
    if (seen?.tenantId === tenantId) return seen.cursor;
    const cursor = this.sign(tenantId, encodeBookingCursor({ startsAt: node.startsAt.getTime(), connectionId: node.connectionId, ref: node.ref }));
    this.bookingCursors.set(node, { tenantId, cursor });
    return cursor;
  }

  /** The position of a booking cursor; throws BAD_USER_INPUT (see the class). */
  decodeBooking(tenantId: string, cursor: string, argName = 'after'): BookingPosition {
    const position = decodeBookingCursor(this.verify(tenantId, cursor, argName));
    if (!position) throw this.wrongList(argName);
    return position;
  }

  listCursor(tenantId: string, p: ListPosition): string {
    return this.sign(tenantId, encodeListCursor(p));
  }

  /** The position of a service or customer list cursor; throws BAD_USER_INPUT (see the class). */
  decodeList(tenantId: string, cursor: string, argName = 'after'): ListPosition {
    const position = decodeListCursor(this.verify(tenantId, cursor, argName));
    if (!position) throw this.wrongList(argName);
    return position;
  }

  deliveryCursor(tenantId: string, p: DeliveryPosition): string {
    return this.sign(tenantId, encode('d1', [p.subscriptionId, p.deliveryId]));
  }

  /** The position of a webhook delivery cursor; throws BAD_USER_INPUT (see the class), also for another subscription's. */
  decodeDelivery(tenantId: string, subscriptionId: string, cursor: string, argName = 'after'): DeliveryPosition {
    const v = decode(
      'd1',
      this.verify(tenantId, cursor, argName),
      (x): x is [string, string] => Array.isArray(x) && x.length === 2 && isId(x[0]) && isId(x[1]),
    );
    if (!v || v[0] !== subscriptionId) throw this.wrongList(argName);
    return { subscriptionId: v[0], deliveryId: v[1] };
  }
}
