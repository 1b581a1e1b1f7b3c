import { formatInZone, zonedToUtc } from '../framework/seed.js';
import { type Message, TEXT } from './envelope.js';

/**
 * Calendar ranges of the `listMonth` / `listWeek` / `listDay` routes (contract §3.4, §3.5): the
 * local month, ISO week or day in the organization's time zone. Month, week and day accept 1 or 2
 * digits; a bad value is a 400 naming the parameter.
 */

export interface Range {
  startMs: number;
  /** Exclusive. */
  endMs: number;
}

const DAY_MS = 86_400_000;

type Parsed = { ok: true; range: Range } | { ok: false; messages: Message[] };

function num(value: string, pattern: RegExp, min: number, max: number): number | null {
  if (!pattern.test(value)) return null;
  const n = Number(value);
  return n >= min && n <= max ? n : null;
}

const YEAR = /^\d{4}$/;
const SMALL = /^\d{1,2}$/;

function invalid(...params: string[]): Parsed {
  return { ok: false, messages: params.map((parameter) => ({ parameter, text: TEXT.invalid })) };
}

/** Local midnight of a (possibly overflowing) calendar date, e.g. month 13 → January next year. */
function localMidnight(zone: string, y: number, m: number, d: number): number {
  const date = new Date(Date.UTC(y, m - 1, d));
  return zonedToUtc(zone, date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
}

export function monthRange(zone: string, year: string, month: string): Parsed {
  const y = num(year, YEAR, 1970, 9999);
  const m = num(month, SMALL, 1, 12);
  if (y === null || m === null) return invalid(...(y === null ? ['year'] : []), ...(m === null ? ['month'] : []));
  return { ok: true, range: { startMs: localMidnight(zone, y, m, 1), endMs: localMidnight(zone, y, m + 1, 1) } };
}

export function dayRange(zone: string, year: string, month: string, day: string): Parsed {
  const y = num(year, YEAR, 1970, 9999);
  const m = num(month, SMALL, 1, 12);
  if (y === null || m === null) return invalid(...(y === null ? ['year'] : []), ...(m === null ? ['month'] : []));
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const d = num(day, SMALL, 1, daysInMonth);
  if (d === null) return invalid('day');
  return { ok: true, range: { startMs: localMidnight(zone, y, m, d), endMs: localMidnight(zone, y, m, d + 1) } };
}

/** ISO 8601 weeks in `y` (52 or 53). */
export function isoWeeksInYear(y: number): number {
  const p = (n: number) => (n + Math.floor(n / 4) - Math.floor(n / 100) + Math.floor(n / 400)) % 7;
  return p(y) === 4 || p(y - 1) === 3 ? 53 : 52;
}

export function weekRange(zone: string, year: string, week: string): Parsed {
  const y = num(year, YEAR, 1970, 9999);
  if (y === null) return invalid('year');
  const w = num(week, SMALL, 1, isoWeeksInYear(y));
  if (w === null) return invalid('week');
  const jan4 = Date.UTC(y, 0, 4);
  const dow = new Date(jan4).getUTCDay() || 7;
  const monday = new Date(jan4 - (dow - 1) * DAY_MS + (w - 1) * 7 * DAY_MS);
  const [my, mm, md] = [monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate()];
  return { ok: true, range: { startMs: localMidnight(zone, my, mm, md), endMs: localMidnight(zone, my, mm, md + 7) } };
}

/** `RANGE_LIST`: `rangeEnd` is the last second of the range, both with the zone's offset. */
export function rangeList(zone: string, range: Range, list: unknown[]) {
  return {
    class: 'RANGE_LIST',
    rangeStart: formatInZone(zone, range.startMs),
    rangeEnd: formatInZone(zone, range.endMs - 1000),
    timeZone: zone,
    list,
  };
}
