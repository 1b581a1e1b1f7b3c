import { describe, expect, it } from 'vitest';
import {
  type BookingPosition,
  compareMerged,
  connectionBound,
  decodeBookingCursor,
  decodeListCursor,
  encodeBookingCursor,
  encodeListCursor,
} from '../../src/gateway/cursors.js';

// The pure half of paging: opaque cursors, the merged order of bookings across connections, and the
// bound each connection pages after. No servers.

const T = Date.UTC(2026, 2, 10, 9, 0, 0);
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v), 'utf8').toString('base64url');

describe('booking cursors', () => {
  it.each<BookingPosition>([
    { startsAt: T, connectionId: 'cn_a', ref: 'bkg_1' },
    { startsAt: 0, connectionId: 'cn_ü', ref: 'org:with:colons' },
    { startsAt: -86_400_000, connectionId: 'c', ref: 'r"q\\' },
  ])('round-trips %j through an opaque base64url string', (p) => {
    const cursor = encodeBookingCursor(p);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeBookingCursor(cursor)).toEqual(p);
  });

  it.each([
    ['a list cursor', encodeListCursor({ connectionId: 'cn_a', cursor: null, skip: 0 })],
    ['an empty string', ''],
    ['characters outside base64url', 'abc+/='],
    ['base64url of something not JSON', b64('not json')],
    ['another kind', b64(['x1', [T, 'cn_a', 'r']])],
    ['a missing field', b64(['b1', [T, 'cn_a']])],
    ['a string time', b64(['b1', [String(T), 'cn_a', 'r']])],
    ['a null time', b64(['b1', [null, 'cn_a', 'r']])],
    ['a numeric ref', b64(['b1', [T, 'cn_a', 7]])],
    ['an object instead of the array', b64(['b1', { startsAt: T, connectionId: 'cn_a', ref: 'r' }])],
    ['more than 4096 characters', encodeBookingCursor({ startsAt: T, connectionId: 'cn_a', ref: 'r'.repeat(4_000) })],
  ])('decodes %s as null', (_name, cursor) => {
    expect(decodeBookingCursor(cursor)).toBeNull();
  });
});

describe('list cursors', () => {
  it.each([
    { connectionId: 'cn_a', cursor: null, skip: 0 },
    { connectionId: 'cn_b', cursor: 'page-3', skip: 7 },
    { connectionId: 'cn_b', cursor: '', skip: 1 },
  ])('round-trips %j', (p) => {
    const cursor = encodeListCursor(p);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeListCursor(cursor)).toEqual(p);
  });

  it.each([
    ['a booking cursor', encodeBookingCursor({ startsAt: T, connectionId: 'cn_a', ref: 'r' })],
    ['a negative skip', b64(['l1', ['cn_a', null, -1]])],
    ['a fractional skip', b64(['l1', ['cn_a', null, 1.5]])],
    ['a numeric page cursor', b64(['l1', ['cn_a', 3, 0]])],
    ['a missing connection', b64(['l1', [null, null, 0]])],
    ['garbage', '%%%'],
  ])('decodes %s as null', (_name, cursor) => {
    expect(decodeListCursor(cursor)).toBeNull();
  });
});

describe('compareMerged', () => {
  const at = (ms: number, connectionId: string, ref: string) => ({ startsAt: new Date(ms), connectionId, ref });

  it('orders by startsAt, then connection id, then ref', () => {
    const sorted = [at(T, 'cn_b', 'a'), at(T + 1, 'cn_a', 'a'), at(T, 'cn_a', 'c'), at(T, 'cn_a', 'b'), at(T - 1, 'cn_c', 'z')].sort(compareMerged);
    expect(sorted).toEqual([at(T - 1, 'cn_c', 'z'), at(T, 'cn_a', 'b'), at(T, 'cn_a', 'c'), at(T, 'cn_b', 'a'), at(T + 1, 'cn_a', 'a')]);
  });

  it('compares by code unit, not locale, and is 0 only for the same position', () => {
    expect(Math.sign(compareMerged(at(T, 'cn_a', 'B'), at(T, 'cn_a', 'a')))).toBe(-1);
    expect(Math.sign(compareMerged(at(T, 'cn_a', 'a'), at(T, 'cn_a', 'B')))).toBe(1);
    expect(compareMerged(at(T, 'cn_a', 'a'), at(T, 'cn_a', 'a'))).toBe(0);
  });
});

describe('connectionBound', () => {
  const p: BookingPosition = { startsAt: T, connectionId: 'cn_m', ref: 'r5' };

  it('the connection of the position pages after (startsAt, ref)', () => {
    expect(connectionBound(p, 'cn_m')).toEqual({ startsAt: new Date(T), ref: 'r5' });
  });

  it('a connection ordered before it has handed out everything at startsAt', () => {
    expect(connectionBound(p, 'cn_a')).toEqual({ startsAt: new Date(T + 1), ref: '' });
  });

  it('a connection ordered after it has handed out nothing at startsAt', () => {
    expect(connectionBound(p, 'cn_z')).toEqual({ startsAt: new Date(T), ref: '' });
  });

  // The whole point: after any edge, the union of every connection's "strictly after its bound"
  // (the connector contract of `listBookings({ after })`) is exactly the rest of the merged list.
  it('merging each connection after its bound continues the merged order without a skip or a repeat', () => {
    const rows: Array<{ startsAt: Date; connectionId: string; ref: string }> = [];
    const connections = ['cn_a', 'cn_b', 'cn_c'];
    // Ties everywhere: several bookings at the same instant, within and across connections.
    for (const [i, connectionId] of connections.entries()) {
      for (let k = 0; k < 12; k++) {
        const slot = (k * (i + 2)) % 5;
        rows.push({ startsAt: new Date(T + slot * 1_800_000), connectionId, ref: `r${String((k * 7 + i) % 12).padStart(2, '0')}` });
      }
    }
    const merged = [...rows].sort(compareMerged);
    expect(new Set(merged.map((r) => `${r.connectionId}/${r.ref}`)).size).toBe(merged.length);
    const strictlyAfter = (r: { startsAt: Date; ref: string }, b: { startsAt: Date; ref: string }) =>
      r.startsAt.getTime() > b.startsAt.getTime() || (r.startsAt.getTime() === b.startsAt.getTime() && r.ref > b.ref);

    for (let i = 0; i < merged.length; i++) {
      const last = merged[i];
      const position = decodeBookingCursor(encodeBookingCursor({ startsAt: last.startsAt.getTime(), connectionId: last.connectionId, ref: last.ref }));
      expect(position).not.toBeNull();
      const rest = connections
        .flatMap((id) => {
          const bound = connectionBound(position as BookingPosition, id);
          return rows.filter((r) => r.connectionId === id && strictlyAfter(r, bound));
        })
        .sort(compareMerged);
      expect(rest).toEqual(merged.slice(i + 1));
    }
  });
});
