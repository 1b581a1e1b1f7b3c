import { createHash } from 'node:crypto';

/**
 * Deterministic seed helpers (README §6): the same anchor and label give byte-identical data.
 */
export class SeedRandom {
  private state: number;

  constructor(label: string) {
    this.state = createHash('sha256').update(label).digest().readUInt32LE(0) || 1;
  }

  /** A float in [0, 1) (mulberry32). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** `length` characters from `alphabet`. */
  chars(length: number, alphabet: string): string {
    let s = '';
    for (let i = 0; i < length; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }

  hex(length: number): string {
    return this.chars(length, '0123456789abcdef');
  }

  base62(length: number): string {
    return this.chars(length, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789');
  }

  /** A version-4-shaped UUID. */
  uuid(): string {
    const h = this.hex(32);
    const variant = '89ab'[Math.floor(this.next() * 4)];
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

/** People for seed customers; several with non-ASCII letters. */
export const SEED_PEOPLE: ReadonlyArray<{ first: string; last: string }> = [
  { first: 'Zoë', last: 'Müller' },
  { first: 'José', last: 'Núñez' },
  { first: 'Amélie', last: 'Laurent' },
  { first: 'Søren', last: 'Kierkegaard' },
  { first: 'Priya', last: 'Raman' },
  { first: 'John', last: 'Doe' },
  { first: 'Łukasz', last: 'Wójcik' },
  { first: 'Chloé', last: 'Dubois' },
  { first: 'Mateo', last: 'García' },
  { first: 'Aoife', last: "O'Brien" },
  { first: 'Björn', last: 'Andersson' },
  { first: 'Hannah', last: 'Schmidt' },
  { first: 'Kenji', last: 'Tanaka' },
  { first: 'Fatima', last: 'Zahra' },
  { first: 'Oliver', last: 'Smith' },
];

/** `email` for a seed person: ASCII-folded, lower-case. */
export function seedEmail(first: string, last: string, domain = 'example.com'): string {
  const fold = (s: string) =>
    s
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/ł/gi, 'l')
      .replace(/ø/gi, 'o')
      .replace(/[^A-Za-z]/g, '')
      .toLowerCase();
  return `${fold(first)}.${fold(last)}@${domain}`;
}

/** The anchor's UTC midnight in epoch ms. */
export function anchorMs(anchorDate: string): number {
  return Date.parse(`${anchorDate}T00:00:00.000Z`);
}

/** Today's UTC date as `YYYY-MM-DD`. */
export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's UTC offset at `instantMs`, in minutes (e.g. +60 for Europe/Berlin in winter). */
export function tzOffsetMinutes(timeZone: string, instantMs: number): number {
  let fmt = offsetFormatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormatters.set(timeZone, fmt);
  }
  const name = fmt.formatToParts(new Date(instantMs)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

/** The instant of a local wall-clock time in `timeZone` (epoch ms). */
export function zonedToUtc(timeZone: string, y: number, m: number, d: number, hh = 0, mm = 0): number {
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  let guess = wall - tzOffsetMinutes(timeZone, wall) * 60_000;
  guess = wall - tzOffsetMinutes(timeZone, guess) * 60_000;
  return guess;
}

/** Local calendar fields of an instant in `timeZone`. */
export function localParts(timeZone: string, instantMs: number) {
  const local = new Date(instantMs + tzOffsetMinutes(timeZone, instantMs) * 60_000);
  return {
    y: local.getUTCFullYear(),
    m: local.getUTCMonth() + 1,
    d: local.getUTCDate(),
    hh: local.getUTCHours(),
    mm: local.getUTCMinutes(),
    /** 0 = Sunday … 6 = Saturday */
    weekday: local.getUTCDay(),
  };
}

/** `2025-03-11T09:30:00+01:00` (or with `.000` when `millis`). */
export function formatInZone(timeZone: string, instantMs: number, millis = false): string {
  const off = tzOffsetMinutes(timeZone, instantMs);
  const local = new Date(instantMs + off * 60_000).toISOString().slice(0, millis ? 23 : 19);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** `YYYY-MM-DD` of an instant in `timeZone`. */
export function localDate(timeZone: string, instantMs: number): string {
  const p = localParts(timeZone, instantMs);
  return `${p.y}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
}
