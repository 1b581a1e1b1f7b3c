import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/sandbox/index.js';
import { bt, CLIENT_ID, ORG_A, ORG_B, ORG_C, today } from './bookingtime-helpers.js';

let emu: { baseUrl: string; close(): Promise<void> };
let c: ReturnType<typeof bt>;
let tokA: string;
let tokB: string;

beforeAll(async () => {
  emu = await startEmulator('bookingtime', { anchorDate: today() });
  c = bt(emu.baseUrl);
});
afterAll(() => emu.close());
beforeEach(async () => {
  await c.control('reset');
  const refresh = await c.refreshToken();
  tokA = await c.accessToken(ORG_A, refresh);
  tokB = await c.accessToken(ORG_B, refresh);
});

const A = `/organization/${ORG_A}`;
const B = `/organization/${ORG_B}`;
const SUCCESS = [{ class: 'MESSAGE', type: 'success', parameter: null, text: '' }];
const FORBIDDEN = { messageList: [{ class: 'MESSAGE', type: 'failure', parameter: null, text: 'Access to this organization is not allowed.' }], content: null };
const ymd = (iso: string) => iso.slice(0, 10).split('-').map(Number);

/** Local year/month pairs covering anchor ± 31 days. */
function monthsAround(anchor: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const base = Date.parse(`${anchor}T00:00:00Z`);
  for (let d = -31; d <= 31; d++) {
    const t = new Date(base + d * 86_400_000);
    const key: [number, number] = [t.getUTCFullYear(), t.getUTCMonth() + 1];
    if (!out.some(([y, m]) => y === key[0] && m === key[1])) out.push(key);
  }
  return out;
}

async function allAppointments(org: string, token: string) {
  const list: any[] = [];
  for (const [y, m] of monthsAround(today())) {
    list.push(...(await c.api('GET', `/organization/${org}/appointment/year/${y}/month/${m}/listMonth`, { token })).body.content.list);
  }
  return list;
}

async function firstTemplate(token = tokA, base = A) {
  return (await c.api('GET', `${base}/bookingTemplate/list`, { token })).body.content.recordList[0];
}

/** The free slots of the first template in the current and next month. */
async function freeSlots(templateId: string, token = tokA, base = A) {
  const now = new Date();
  const out: any[] = [];
  for (let k = 0; k < 2; k++) {
    const t = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + k, 1));
    const path = `${base}/bookingTemplate/${templateId}/bookingSlot/year/${t.getUTCFullYear()}/month/${t.getUTCMonth() + 1}/listMonth`;
    out.push(...(await c.api('GET', path, { token })).body.content.list);
  }
  return out;
}

async function firstCustomer(token = tokA, base = A) {
  return (await c.api('GET', `${base}/customer/list`, { token })).body.content.recordList[0];
}

describe('bookingtime routing, envelope and organization binding', () => {
  it('shows the organization in the envelope with the JSON media type', async () => {
    const r = await c.api('GET', `${A}/show`, { token: tokA, locale: 'de' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(r.body.messageList).toEqual(SUCCESS);
    expect(r.body.content).toMatchObject({
      class: 'ORGANIZATION',
      id: ORG_A,
      name: 'Physiopraxis Alster',
      timeZone: 'Europe/Berlin',
      currency: 'EUR',
      rootOrganizationFlag: true,
      description: { value: 'Physiotherapie in Hamburg', inheritance: 'OFF' },
      address: { class: 'ADDRESS', city: 'Hamburg', country: 'DE' },
      organizationList: [],
    });
    expect(r.body.content.timestampAdd).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00$/);
  });

  it('accepts locales of the contract pattern and 404s others before authentication', async () => {
    expect((await c.api('GET', `${A}/show`, { token: tokA, locale: 'en_EN' })).status).toBe(200);
    for (const locale of ['EN', 'english', 'en-US', 'en_us']) {
      const r = await c.api('GET', `${A}/show`, { locale });
      expect(r.status, locale).toBe(404);
      expect(r.body.content).toBeNull();
      expect(r.body.messageList[0].type).toBe('failure');
    }
  });

  it('answers unknown paths 404 and wrong methods 405 with Allow', async () => {
    const unknown = await c.api('GET', `${A}/nothing/here`, { token: tokA });
    expect(unknown.status).toBe(404);
    expect(unknown.body.content).toBeNull();
    const wrong = await c.api('DELETE', `${A}/show`, { token: tokA });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
    expect(wrong.body.content).toBeNull();
  });

  it('answers 401 without or with a bad token, and ignores tokens in the query', async () => {
    const none = await c.api('GET', `${A}/show`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(none.body.messageList[0]).toEqual({ class: 'MESSAGE', type: 'failure', parameter: null, text: 'Invalid or expired access token.' });
    expect((await c.api('GET', `${A}/show?access_token=${tokA}`)).status).toBe(401);
    const bad = await c.api('GET', `${A}/show`, { token: `${tokA}x` });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    expect((await c.api('GET', `${A}/show`, { headers: { authorization: `bEaReR ${tokA}` } })).status).toBe(200);
  });

  it('answers 403 for another organization, an organization-less token and the non-permitted one', async () => {
    await c.control('stats/reset');
    const orgless = await c.accessToken(null);
    const attempts: Array<[string, string]> = [
      [tokA, `${B}/show`],
      [tokB, `${A}/customer/list`],
      [orgless, `${A}/show`],
      [tokA, `/organization/${ORG_C}/show`],
      [tokA, `/organization/f6${'Z'.repeat(30)}/show`],
    ];
    for (const [token, path] of attempts) {
      const r = await c.api('GET', path, { token });
      expect(r.status, path).toBe(403);
      expect(r.body).toEqual(FORBIDDEN);
    }
    // Authorization comes before body validation and existence.
    const post = await c.api('POST', `${B}/customer/add`, { token: tokA, body: {} });
    expect(post.status).toBe(403);
    const stats = (await c.control('stats', undefined, 'GET')).body;
    expect(stats.forbidden).toBe(6);
    expect(stats.api).toBe(6);
  });

  it('answers injected faults in the envelope: 429 failure with Retry-After, 503 error', async () => {
    await c.control('faults', { match: '/app/v3', status: 429, retryAfterSeconds: 7, count: 1 });
    const limited = await c.api('GET', `${A}/show`, { token: tokA });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.body).toEqual({ messageList: [{ class: 'MESSAGE', type: 'failure', parameter: null, text: 'Too many requests.' }], content: null });
    await c.control('faults', { match: '/app/v3', status: 503, count: 1 });
    const down = await c.api('GET', `${A}/show`, { token: tokA });
    expect(down.status).toBe(503);
    expect(down.body.messageList[0].type).toBe('error');
    expect(down.body.content).toBeNull();
    expect((await c.api('GET', `${A}/show`, { token: tokA })).status).toBe(200);
  });

  it('lists the permitted organizations on the app-level route for any token of the app', async () => {
    for (const token of [await c.accessToken(null), tokB]) {
      const r = await c.api('GET', `/app/${CLIENT_ID}/organization/list`, { token });
      expect(r.status).toBe(200);
      expect(r.body.content).toMatchObject({ class: 'LIST', recordTotal: 2, recordLimit: 9999 });
      expect(r.body.content.recordList.map((o: any) => o.id)).toEqual([ORG_A, ORG_B]);
    }
    const other = await c.api('GET', `/app/70${'Q'.repeat(30)}/organization/list`, { token: tokA });
    expect(other.status).toBe(403);
  });
});

describe('bookingtime booking templates', () => {
  it('lists, pages and shows templates with their booking resources', async () => {
    const list = (await c.api('GET', `${A}/bookingTemplate/list`, { token: tokA })).body.content;
    expect(list.class).toBe('LIST');
    expect(list.recordTotal).toBeGreaterThanOrEqual(3);
    const t = list.recordList[0];
    expect(t).toMatchObject({ class: 'BOOKING_TEMPLATE', name: 'Physiotherapie 30 min', duration: 30, priceGross: 45, currency: 'EUR', showPrice: true });
    expect(t.id).toMatch(/^fc[A-Za-z0-9]{30}$/);
    expect(t.bookingStepList[0].bookingResourceList[0]).toMatchObject({ class: 'BOOKING_RESOURCE', type: 'EMPLOYEE' });
    expect(t.bookingStepList[0].bookingResourceList[0].id).toMatch(/^br[A-Za-z0-9]{30}$/);
    const page = (await c.api('GET', `${A}/bookingTemplate/index/1`, { token: tokA })).body.content;
    expect(page).toEqual({
      class: 'PAGINATION_LIST',
      pageCurrent: 1,
      pageTotal: 1,
      recordFrom: 1,
      recordTo: list.recordTotal,
      recordTotal: list.recordTotal,
      recordPerPage: 25,
      recordList: list.recordList,
    });
    const past = (await c.api('GET', `${A}/bookingTemplate/index/2`, { token: tokA })).body.content;
    expect(past.recordList).toEqual([]);
    expect((await c.api('GET', `${A}/bookingTemplate/index/0`, { token: tokA })).body.messageList[0].parameter).toBe('page');
    const shown = await c.api('GET', `${A}/bookingTemplate/${t.id}/show`, { token: tokA });
    expect(shown.body.content).toEqual(t);
    const identified = await c.api('GET', `${A}/bookingTemplate/${t.customId}/identify`, { token: tokA });
    expect(identified.body.content.id).toBe(t.id);
  });

  it("hides another organization's template (404)", async () => {
    const tB = await firstTemplate(tokB, B);
    const r = await c.api('GET', `${A}/bookingTemplate/${tB.id}/show`, { token: tokA });
    expect(r.status).toBe(404);
    expect(r.body.content).toBeNull();
  });
});

describe('bookingtime customers', () => {
  it('lists short forms and pages full forms', async () => {
    const list = (await c.api('GET', `${A}/customer/list`, { token: tokA })).body.content;
    expect(list.recordTotal).toBeGreaterThanOrEqual(10);
    expect(Object.keys(list.recordList[0]).sort()).toEqual(['class', 'customId', 'firstName', 'id', 'lastName', 'organizationId']);
    expect(list.recordList[0].class).toBe('CUSTOMER_SHORT');
    const page = (await c.api('GET', `${A}/customer/index/1`, { token: tokA })).body.content;
    expect(page.recordList[0]).toMatchObject({ class: 'CUSTOMER', id: list.recordList[0].id, organizationId: ORG_A, address: { class: 'ADDRESS' } });
    expect(page.recordList.map((x: any) => x.id)).toEqual(list.recordList.map((x: any) => x.id));
  });

  it('adds with 201 and validates each parameter', async () => {
    const added = await c.api('POST', `${A}/customer/add`, { token: tokA, body: { firstName: 'John', lastName: 'Doe', email: 'john@example.com' } });
    expect(added.status).toBe(201);
    expect(added.body.messageList[0].type).toBe('success');
    expect(added.body.content).toMatchObject({ class: 'CUSTOMER_SHORT', customId: '', firstName: 'John', lastName: 'Doe', organizationId: ORG_A });
    expect(added.body.content.id).toMatch(/^d3[A-Za-z0-9]{30}$/);
    const shown = await c.api('GET', `${A}/customer/${added.body.content.id}/show`, { token: tokA });
    expect(shown.body.content).toMatchObject({ class: 'CUSTOMER', email: 'john@example.com', gender: 'NONE' });

    const missing = await c.api('POST', `${A}/customer/add`, { token: tokA, body: { email: 'x' } });
    expect(missing.status).toBe(400);
    expect(missing.body.content).toBeNull();
    expect(missing.body.messageList).toEqual([
      { class: 'MESSAGE', type: 'failure', parameter: 'firstName', text: 'This parameter is missing.' },
      { class: 'MESSAGE', type: 'failure', parameter: 'lastName', text: 'This parameter is missing.' },
      { class: 'MESSAGE', type: 'failure', parameter: 'email', text: 'This parameter is invalid.' },
    ]);
    const gender = await c.api('POST', `${A}/customer/add`, { token: tokA, body: { firstName: 'A', lastName: 'B', gender: 'male' } });
    expect(gender.body.messageList.map((m: any) => m.parameter)).toEqual(['gender']);
    const notJson = await c.api('POST', `${A}/customer/add`, {
      token: tokA,
      raw: 'firstName=A',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(notJson.status).toBe(415);
    const malformed = await c.api('POST', `${A}/customer/add`, { token: tokA, raw: '{"firstName":', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
  });

  it('edits, deletes, filters and identifies', async () => {
    const id = (await c.api('POST', `${A}/customer/add`, { token: tokA, body: { firstName: 'Renée', lastName: 'Ærø', customId: 'EXT-77' } })).body.content.id;
    const edited = await c.api('PUT', `${A}/customer/${id}/edit`, { token: tokA, body: { mobile: '+49 151 0000000', lastName: 'Aerö' } });
    expect(edited.status).toBe(200);
    expect(edited.body.content).toMatchObject({ firstName: 'Renée', lastName: 'Aerö', mobile: '+49 151 0000000' });
    expect((await c.api('PUT', `${A}/customer/${id}/edit`, { token: tokA, body: { firstName: '' } })).status).toBe(400);
    expect((await c.api('GET', `${A}/customer/EXT-77/identify`, { token: tokA })).body.content.id).toBe(id);
    const found = (await c.api('GET', `${A}/customer/filter/1?searchQuery=${encodeURIComponent('RENÉE aer')}`, { token: tokA })).body.content;
    expect(found.recordList.map((x: any) => x.id)).toEqual([id]);
    const zoe = (await c.api('GET', `${A}/customer/filter/1?searchQuery=${encodeURIComponent('müller')}`, { token: tokA })).body.content;
    expect(zoe.recordTotal).toBeGreaterThanOrEqual(1);
    expect(zoe.recordList.every((x: any) => `${x.firstName} ${x.lastName} ${x.email}`.toLowerCase().includes('müller'))).toBe(true);
    const noQuery = await c.api('GET', `${A}/customer/filter/1`, { token: tokA });
    expect(noQuery.body.messageList[0].parameter).toBe('searchQuery');
    const deleted = await c.api('DELETE', `${A}/customer/${id}/delete`, { token: tokA });
    expect(deleted.status).toBe(200);
    expect((await c.api('GET', `${A}/customer/${id}/show`, { token: tokA })).status).toBe(404);
    expect((await c.api('DELETE', `${A}/customer/${id}/delete`, { token: tokA })).status).toBe(404);
  });

  it('pages 25 per page and returns an empty page past the end', async () => {
    const before = (await c.api('GET', `${A}/customer/list`, { token: tokA })).body.content.recordTotal;
    for (let i = 0; i < 30 - before; i++) {
      await c.api('POST', `${A}/customer/add`, { token: tokA, body: { firstName: `P${i}`, lastName: 'Page' } });
    }
    const p2 = (await c.api('GET', `${A}/customer/index/2`, { token: tokA })).body.content;
    expect(p2).toMatchObject({ pageCurrent: 2, pageTotal: 2, recordFrom: 26, recordTo: 30, recordTotal: 30, recordPerPage: 25 });
    expect(p2.recordList).toHaveLength(5);
    const p3 = (await c.api('GET', `${A}/customer/index/3`, { token: tokA })).body.content;
    expect(p3).toMatchObject({ pageCurrent: 3, recordTotal: 30, recordList: [] });
    expect((await c.api('GET', `${A}/customer/index/x`, { token: tokA })).status).toBe(400);
  });

  it("hides another organization's customer (404)", async () => {
    const cB = await firstCustomer(tokB, B);
    expect((await c.api('GET', `${A}/customer/${cB.id}/show`, { token: tokA })).status).toBe(404);
  });
});

describe('bookingtime booking slots', () => {
  it('lists only free future slots in business hours with stable ids', async () => {
    const t = await firstTemplate();
    const slots = await freeSlots(t.id);
    expect(slots.length).toBeGreaterThan(20);
    const now = Date.now();
    for (const s of slots) {
      expect(s.class).toBe('BOOKING_SLOT');
      expect(s.id).toMatch(/^4f[A-Za-z0-9]{30}$/);
      expect(Date.parse(s.timestamp)).toBeGreaterThanOrEqual(now + t.bookingLeadTime * 60_000 - 5_000);
      expect(Date.parse(s.timestamp)).toBeLessThan(now + (t.bookingDayLatest + 2) * 86_400_000);
      const [y, m, d] = ymd(s.timestamp);
      const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
      const hour = Number(s.timestamp.slice(11, 13));
      expect(weekday >= 1 && weekday <= 5).toBe(true);
      expect(hour >= 8 && hour < 18).toBe(true);
      expect(s.timestamp).toMatch(/\+0[12]:00$/);
      expect(t.bookingStepList[0].bookingResourceList.map((r: any) => r.id)).toContain(s.bookingResourceCombination[0]);
    }
    expect((await freeSlots(t.id)).map((s) => s.id)).toEqual(slots.map((s) => s.id));
    const earliest = await c.api('GET', `${A}/bookingTemplate/${t.id}/bookingSlot/earliest`, { token: tokA });
    expect(earliest.body.content).toEqual(slots[0]);
    const [y, m, d] = ymd(slots[0].timestamp);
    const day = (await c.api('GET', `${A}/bookingTemplate/${t.id}/bookingSlot/year/${y}/month/${m}/day/${d}/listDay`, { token: tokA })).body.content;
    expect(day.class).toBe('RANGE_LIST');
    expect(day.timeZone).toBe('Europe/Berlin');
    expect(day.list[0]).toEqual(slots[0]);
    expect(day.rangeStart.slice(0, 19)).toBe(`${slots[0].timestamp.slice(0, 10)}T00:00:00`);
    expect(day.rangeEnd.slice(0, 19)).toBe(`${slots[0].timestamp.slice(0, 10)}T23:59:59`);
  });

  it('respects bookingDayLatest and 404s unknown templates', async () => {
    const t = await firstTemplate();
    const far = new Date(Date.now() + (t.bookingDayLatest + 40) * 86_400_000);
    const r = await c.api('GET', `${A}/bookingTemplate/${t.id}/bookingSlot/year/${far.getUTCFullYear()}/month/${far.getUTCMonth() + 1}/listMonth`, {
      token: tokA,
    });
    expect(r.body.content.list).toEqual([]);
    const unknown = await c.api('GET', `${A}/bookingTemplate/fc${'A'.repeat(30)}/bookingSlot/earliest`, { token: tokA });
    expect(unknown.status).toBe(404);
    const badMonth = await c.api('GET', `${A}/bookingTemplate/${t.id}/bookingSlot/year/2026/month/13/listMonth`, { token: tokA });
    expect(badMonth.status).toBe(400);
    expect(badMonth.body.messageList[0].parameter).toBe('month');
  });

  it('lists an ISO week', async () => {
    const t = await firstTemplate();
    const r = (await c.api('GET', `${A}/bookingTemplate/${t.id}/bookingSlot/year/2026/week/53/listWeek`, { token: tokA })).body.content;
    expect(r.rangeStart).toBe('2026-12-28T00:00:00+01:00');
    expect(r.rangeEnd).toBe('2027-01-03T23:59:59+01:00');
    expect((await c.api('GET', `${A}/bookingTemplate/${t.id}/bookingSlot/year/2025/week/53/listWeek`, { token: tokA })).status).toBe(400);
  });
});

describe('bookingtime appointments', () => {
  async function book(slotIndex = 0) {
    const t = await firstTemplate();
    const slots = await freeSlots(t.id);
    const customer = await firstCustomer();
    const r = await c.api('POST', `${A}/appointment/add`, { token: tokA, body: { bookingSlotId: slots[slotIndex].id, customerId: customer.id, notes: 'hi' } });
    return { r, slots, customer, t };
  }

  it('books a slot (201), after which the slot is gone and taken (409)', async () => {
    const { r, slots, customer, t } = await book();
    expect(r.status).toBe(201);
    expect(r.body.messageList[0]).toEqual({ class: 'MESSAGE', type: 'success', parameter: null, text: 'Appointment successfully booked.' });
    const a = r.body.content;
    expect(a).toMatchObject({
      class: 'APPOINTMENT',
      start: slots[0].timestamp,
      duration: 30,
      timeZone: 'Europe/Berlin',
      name: t.name,
      bookingTemplateId: t.id,
      customer: { class: 'CUSTOMER_SHORT', id: customer.id },
      notes: 'hi',
      canceled: false,
      moved: false,
      organizationId: ORG_A,
    });
    expect(a.id).toMatch(/^ed[A-Za-z0-9]{30}$/);
    expect(Date.parse(a.end) - Date.parse(a.start)).toBe(30 * 60_000);
    expect(a.bookingResourceList[0].id).toBe(slots[0].bookingResourceCombination[0]);
    const again = await c.api('POST', `${A}/appointment/add`, { token: tokA, body: { bookingSlotId: slots[0].id, customerId: customer.id } });
    expect(again.status).toBe(409);
    expect(again.body.content).toBeNull();
    const after = await freeSlots(t.id);
    expect(after.map((s) => s.id)).not.toContain(slots[0].id);
    expect((await c.api('GET', `${A}/appointment/${a.id}/show`, { token: tokA })).body.content).toEqual(a);
  });

  it('validates the body: missing, malformed, unknown customer, 415', async () => {
    const t = await firstTemplate();
    const [slot] = await freeSlots(t.id);
    const cB = await firstCustomer(tokB, B);
    const cases: Array<[unknown, string, string]> = [
      [{ customerId: cB.id.replace(/^d3/, 'd3') }, 'bookingSlotId', 'This parameter is missing.'],
      [{ bookingSlotId: 'xx', customerId: cB.id }, 'bookingSlotId', 'This parameter is invalid.'],
      [{ bookingSlotId: slot.id }, 'customerId', 'This parameter is missing.'],
      [{ bookingSlotId: slot.id, customerId: cB.id }, 'customerId', 'Customer not found.'],
      [{ bookingSlotId: slot.id, customerId: `d3${'a'.repeat(30)}` }, 'customerId', 'Customer not found.'],
    ];
    for (const [body, parameter, text] of cases) {
      const r = await c.api('POST', `${A}/appointment/add`, { token: tokA, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.messageList).toContainEqual({ class: 'MESSAGE', type: 'failure', parameter, text });
    }
    const text = await c.api('POST', `${A}/appointment/add`, { token: tokA, raw: 'x', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    // A slot of another organization's template is not bookable here.
    const tB = await firstTemplate(tokB, B);
    const [slotB] = await freeSlots(tB.id, tokB, B);
    const customer = await firstCustomer();
    expect((await c.api('POST', `${A}/appointment/add`, { token: tokA, body: { bookingSlotId: slotB.id, customerId: customer.id } })).status).toBe(409);
  });

  it('refuses a stale slot (409) once its time has come', async () => {
    const t = await firstTemplate();
    const [slot] = await freeSlots(t.id);
    const customer = await firstCustomer();
    const wait = Math.ceil((Date.parse(slot.timestamp) - Date.now()) / 1000);
    await c.control('clock', { advanceSeconds: wait });
    const r = await c.api('POST', `${A}/appointment/add`, { token: await c.accessToken(ORG_A), body: { bookingSlotId: slot.id, customerId: customer.id } });
    expect(r.status).toBe(409);
  });

  it('cancels (409 when already cancelled, 400 when ended)', async () => {
    const { r } = await book();
    const id = r.body.content.id;
    const cancel = await c.api('PUT', `${A}/appointment/${id}/cancel`, { token: tokA });
    expect(cancel.status).toBe(200);
    expect(cancel.body.content).toMatchObject({ id, canceled: true });
    expect((await c.api('PUT', `${A}/appointment/${id}/cancel`, { token: tokA })).status).toBe(409);
    const ended = (await allAppointments(ORG_A, tokA)).find((x) => !x.canceled && Date.parse(x.end) < Date.now());
    const r400 = await c.api('PUT', `${A}/appointment/${ended.id}/cancel`, { token: tokA });
    expect(r400.status).toBe(400);
    expect(r400.body.content).toBeNull();
    expect((await c.api('PUT', `${A}/appointment/ed${'A'.repeat(30)}/cancel`, { token: tokA })).status).toBe(404);
    // Another organization's appointment is invisible.
    const [bApp] = await allAppointments(ORG_B, tokB);
    expect((await c.api('GET', `${A}/appointment/${bApp.id}/show`, { token: tokA })).status).toBe(404);
  });

  it('moves to another free slot of the same template', async () => {
    const { r, slots } = await book();
    const id = r.body.content.id;
    const moved = await c.api('PUT', `${A}/appointment/${id}/move`, { token: tokA, body: { bookingSlotId: slots[3].id } });
    expect(moved.status).toBe(200);
    expect(moved.body.content).toMatchObject({ id, moved: true, canceled: false, start: slots[3].timestamp });
    const tpl = (await c.api('GET', `${A}/bookingTemplate/list`, { token: tokA })).body.content.recordList[1];
    const [other] = await freeSlots(tpl.id);
    const wrong = await c.api('PUT', `${A}/appointment/${id}/move`, { token: tokA, body: { bookingSlotId: other.id } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.messageList[0].parameter).toBe('bookingSlotId');
    expect((await c.api('PUT', `${A}/appointment/${id}/move`, { token: tokA, body: {} })).status).toBe(400);
  });

  it('lists calendar ranges in the organization zone, cancelled included, ordered by start', async () => {
    const [y, m] = ymd(today());
    const month = (await c.api('GET', `${A}/appointment/year/${y}/month/${m}/listMonth`, { token: tokA })).body.content;
    expect(month.class).toBe('RANGE_LIST');
    expect(month.timeZone).toBe('Europe/Berlin');
    expect(month.rangeStart).toMatch(new RegExp(`^${y}-${String(m).padStart(2, '0')}-01T00:00:00\\+0[12]:00$`));
    expect(month.rangeEnd).toMatch(/T23:59:59\+0[12]:00$/);
    const starts = month.list.map((a: any) => Date.parse(a.start));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    for (const a of month.list) expect(a.start.slice(0, 7)).toBe(`${y}-${String(m).padStart(2, '0')}`);
    const padded = (await c.api('GET', `${A}/appointment/year/${y}/month/${String(m).padStart(2, '0')}/listMonth`, { token: tokA })).body.content;
    expect(padded).toEqual(month);
    const all = await allAppointments(ORG_A, tokA);
    expect(all.some((a) => a.canceled)).toBe(true);
    // Paged variant: same records, 25 per page.
    const p1 = (await c.api('GET', `${A}/appointment/year/${y}/month/${m}/indexMonth/1`, { token: tokA })).body.content;
    expect(p1.class).toBe('PAGINATION_LIST');
    expect(p1.recordTotal).toBe(month.list.length);
    expect(p1.recordList).toEqual(month.list.slice(0, 25));
    // Day and week of one appointment contain it.
    const a = month.list[0];
    const [ay, am, ad] = ymd(a.start);
    const day = (await c.api('GET', `${A}/appointment/year/${ay}/month/${am}/day/${ad}/listDay`, { token: tokA })).body.content;
    expect(day.list.map((x: any) => x.id)).toContain(a.id);
    const dayPaged = (await c.api('GET', `${A}/appointment/year/${ay}/month/${am}/day/${ad}/indexDay/1`, { token: tokA })).body.content;
    expect(dayPaged.recordList.map((x: any) => x.id)).toEqual(day.list.map((x: any) => x.id));
    const bad = await c.api('GET', `${A}/appointment/year/${ay}/month/2/day/30/listDay`, { token: tokA });
    expect(bad.status).toBe(400);
    expect(bad.body.messageList[0].parameter).toBe('day');
  });

  it('lists an ISO week and its paged variant', async () => {
    const week = (await c.api('GET', `${A}/appointment/year/2026/week/1/listWeek`, { token: tokA })).body.content;
    expect(week.rangeStart).toBe('2025-12-29T00:00:00+01:00');
    expect(week.rangeEnd).toBe('2026-01-04T23:59:59+01:00');
    const paged = (await c.api('GET', `${A}/appointment/year/2026/week/1/indexWeek/1`, { token: tokA })).body.content;
    expect(paged.recordTotal).toBe(week.list.length);
  });

  it("indexes a customer's appointments", async () => {
    const { r, customer } = await book();
    const page = (await c.api('GET', `${A}/customer/${customer.id}/appointment/index/1`, { token: tokA })).body.content;
    expect(page.class).toBe('PAGINATION_LIST');
    expect(page.recordList.map((x: any) => x.id)).toContain(r.body.content.id);
    expect(page.recordList.every((x: any) => x.customer.id === customer.id)).toBe(true);
  });
});

describe('bookingtime sandbox events', () => {
  it('creates, moves and cancels without delivering anything', async () => {
    const created = await c.control('events', { type: 'appointment.created' });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ type: 'appointment.created', webhooksAttempted: 0, webhooksDelivered: 0 });
    const id = created.body.bookingId;
    const a = (await c.api('GET', `${A}/appointment/${id}/show`, { token: tokA })).body.content;
    expect(Date.parse(a.start)).toBeGreaterThanOrEqual(Date.now() + 24 * 3_600_000 - 5_000);
    expect(a.name).toBe('Physiotherapie 30 min');
    const moved = await c.control('events', { type: 'appointment.moved', bookingId: id });
    expect(moved.status).toBe(200);
    const m = (await c.api('GET', `${A}/appointment/${id}/show`, { token: tokA })).body.content;
    expect(m.moved).toBe(true);
    expect(m.start).not.toBe(a.start);
    expect((await c.control('events', { type: 'appointment.canceled', bookingId: id })).status).toBe(200);
    expect((await c.api('GET', `${A}/appointment/${id}/show`, { token: tokA })).body.content.canceled).toBe(true);
    expect((await c.control('events', { type: 'appointment.canceled', bookingId: id })).status).toBe(409);
    expect((await c.control('events', { type: 'appointment.moved', bookingId: id })).status).toBe(409);
  });

  it('answers 400 / 404 for bad events', async () => {
    expect((await c.control('events', { type: 'appointment.canceled' })).status).toBe(400);
    expect((await c.control('events', { type: 'booking.created' })).status).toBe(400);
    expect((await c.control('events', { type: 'appointment.canceled', bookingId: `ed${'A'.repeat(30)}` })).status).toBe(404);
  });
});

describe('bookingtime seed data', () => {
  it('meets the minimums of the contract', async () => {
    const anchor = Date.parse(`${today()}T00:00:00Z`);
    const zones = new Set<string>();
    for (const [org, token, min, hours] of [
      [ORG_A, tokA, 40, { 1: [8, 18], 2: [8, 18], 3: [8, 18], 4: [8, 18], 5: [8, 18] }],
      [ORG_B, tokB, 12, { 2: [10, 19], 3: [10, 19], 4: [10, 19], 5: [10, 19], 6: [9, 15] }],
    ] as const) {
      const base = `/organization/${org}`;
      const templates = (await c.api('GET', `${base}/bookingTemplate/list`, { token })).body.content.recordList;
      expect(templates.length).toBeGreaterThanOrEqual(3);
      const employees = new Set(templates.flatMap((t: any) => t.bookingStepList[0].bookingResourceList.map((r: any) => r.id)));
      expect(employees.size).toBe(2);
      const customers = (await c.api('GET', `${base}/customer/list`, { token })).body.content.recordList;
      expect(customers.length).toBeGreaterThanOrEqual(10);
      const list = await allAppointments(org, token);
      expect(list.length).toBeGreaterThanOrEqual(min);
      const past = list.filter((a) => Date.parse(a.start) < anchor).length;
      expect(past).toBeGreaterThanOrEqual(list.length / 3);
      expect(list.length - past).toBeGreaterThanOrEqual(list.length / 3);
      const canceled = list.filter((a) => a.canceled).length;
      expect(canceled).toBeGreaterThanOrEqual(2);
      expect(canceled / list.length).toBeGreaterThan(0.12);
      expect(canceled / list.length).toBeLessThan(0.3);
      expect(list.filter((a) => a.moved).length).toBeGreaterThanOrEqual(2);
      for (const a of list) {
        expect(Math.abs(Date.parse(a.start) - anchor)).toBeLessThanOrEqual(31 * 86_400_000);
        const [y, m, d] = ymd(a.start);
        const span = (hours as Record<number, readonly [number, number]>)[new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
        const startH = Number(a.start.slice(11, 13)) + Number(a.start.slice(14, 16)) / 60;
        const endH = Number(a.end.slice(11, 13)) + Number(a.end.slice(14, 16)) / 60;
        expect(span, a.start).toBeDefined();
        expect(startH >= span[0] && endH <= span[1], a.start).toBe(true);
        zones.add(a.timeZone);
      }
      // No employee is double-booked.
      const live = list.filter((a) => !a.canceled);
      for (const a of live) {
        const clash = live.filter(
          (b) =>
            b.id !== a.id &&
            b.bookingResourceList[0].id === a.bookingResourceList[0].id &&
            Date.parse(b.start) < Date.parse(a.end) &&
            Date.parse(a.start) < Date.parse(b.end),
        );
        expect(clash).toEqual([]);
      }
    }
    expect(zones).toEqual(new Set(['Europe/Berlin', 'America/New_York']));
    const names = (await c.api('GET', `${A}/customer/list`, { token: tokA })).body.content.recordList.map((x: any) => `${x.firstName} ${x.lastName}`);
    expect(names.some((n: string) => /[^\x00-\x7F]/.test(n))).toBe(true);
  });

  it('reset restores the seed', async () => {
    const before = (await c.api('GET', `${A}/customer/list`, { token: tokA })).body.content;
    await c.api('POST', `${A}/customer/add`, { token: tokA, body: { firstName: 'Temp', lastName: 'Person' } });
    await c.control('reset');
    const token = await c.accessToken(ORG_A);
    expect((await c.api('GET', `${A}/customer/list`, { token })).body.content).toEqual(before);
  });

  it('is byte-identical for the same anchor', async () => {
    const bodies: string[][] = [];
    for (let i = 0; i < 2; i++) {
      const e = await startEmulator('bookingtime', { anchorDate: '2026-03-02' });
      const x = bt(e.baseUrl);
      const token = await x.accessToken(ORG_A);
      const texts: string[] = [];
      for (const path of [
        `${A}/show`,
        `${A}/bookingTemplate/list`,
        `${A}/customer/index/1`,
        `${A}/appointment/year/2026/month/2/listMonth`,
        `${A}/appointment/year/2026/month/3/listMonth`,
      ]) {
        const r = await fetch(`${e.baseUrl}/app/v3/en${path}`, { headers: { authorization: `Bearer ${token}` } });
        texts.push(await r.text());
      }
      bodies.push(texts);
      await e.close();
    }
    expect(bodies[0]).toEqual(bodies[1]);
    const feb = JSON.parse(bodies[0][3]).content.list;
    const mar = JSON.parse(bodies[0][4]).content.list;
    expect(feb.length + mar.length).toBeGreaterThanOrEqual(40);
  });
});
