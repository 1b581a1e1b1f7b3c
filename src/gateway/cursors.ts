/**
 * Opaque cursors. A merged booking cursor is the keyset position of the last edge handed out:
 * (startsAt, connectionId, ref). Every connection's own position follows from it (see
 * `connectionBound`), so paging never skips or repeats a booking even when connections are added
 * or platforms page differently.
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

function encode(kind: string, value: unknown): string {
  return Buffer.from(JSON.stringify([kind, value]), 'utf8').toString('base64url');
}

function decode<T>(kind: string, cursor: string, check: (v: unknown) => v is T): T | null {
  if (!/^[A-Za-z0-9_-]{1,4096}$/.test(cursor)) return null;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(parsed) || parsed[0] !== kind) return null;
    return check(parsed[1]) ? parsed[1] : null;
  } catch {
    return null;
  }
}

export function encodeBookingCursor(p: BookingPosition): string {
  return encode('b1', [p.startsAt, p.connectionId, p.ref]);
}

export function decodeBookingCursor(cursor: string): BookingPosition | null {
  const v = decode(
    'b1',
    cursor,
    (x): x is [number, string, string] => Array.isArray(x) && x.length === 3 && Number.isFinite(x[0]) && typeof x[1] === 'string' && typeof x[2] === 'string',
  );
  return v ? { startsAt: v[0], connectionId: v[1], ref: v[2] } : null;
}

export function encodeListCursor(p: ListPosition): string {
  return encode('l1', [p.connectionId, p.cursor, p.skip]);
}

export function decodeListCursor(cursor: string): ListPosition | null {
  const v = decode(
    'l1',
    cursor,
    (x): x is [string, string | null, number] =>
      Array.isArray(x) && x.length === 3 && typeof x[0] === 'string' && (x[1] === null || typeof x[1] === 'string') && Number.isInteger(x[2]) && x[2] >= 0,
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
