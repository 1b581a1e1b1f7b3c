import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCallback, openStartLink } from '../helpers/consent.js';
import { gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw.close());

/**
 * Opens the start link (keeping its cookie), clicks Allow on the emulator consent page the way a
 * browser form post would, and follows the redirect to the gateway with the cookie.
 */
async function allow(startUrl: string): Promise<{ status: number; html: string }> {
  const { platformUrl: authorizeUrl, cookie } = await openStartLink(startUrl);
  const html = await (await fetch(authorizeUrl)).text();
  const form = /<form[^>]*id="consent-form"[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(html) as RegExpExecArray;
  const fields = new URLSearchParams();
  for (const m of form[2].matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields.append(m[1], m[2].replace(/&amp;/g, '&'));
  fields.set('account', /<option value="([^"]*)"/.exec(form[2])?.[1] as string);
  fields.set('decision', 'allow');
  const posted = await fetch(new URL(form[1], authorizeUrl), { method: 'POST', redirect: 'manual', body: fields });
  return openCallback(posted.headers.get('location') as string, cookie);
}

describe('re-authorizing a connection in place', () => {
  it('NEEDS_REAUTH after the platform drops the grant; startConnection(connectionId:) brings the same connection back', async () => {
    const ds = gw.emulators.dayschedule as string;
    const before = await gql(
      gw.url,
      gw.demoKey,
      '{ connections { id provider status } bookings(first: 1, filter: { providers: [DAYSCHEDULE] }) { edges { node { id } } } }',
    );
    const conn = before.body.data.connections.find((c: any) => c.provider === 'DAYSCHEDULE');
    const bookingId = before.body.data.bookings.edges[0].node.id;

    await sandbox(ds, 'revoke-all');
    await sandbox(ds, 'clock', { advanceSeconds: 3_700 });
    const broken = await gql(gw.url, gw.demoKey, '{ bookings(first: 1, filter: { providers: [DAYSCHEDULE] }) { edges { node { id } } } }');
    expect(broken.body.errors?.[0].extensions).toMatchObject({ code: 'NEEDS_REAUTH', provider: 'DAYSCHEDULE' });

    const active = await gql(gw.url, gw.demoKey, 'mutation($id: ID) { startConnection(provider: DAYSCHEDULE, connectionId: $id) { authorizeUrl } }', {
      id: null,
    });
    expect(active.body.errors).toBeUndefined(); // a new connection is always allowed
    const wrong = await gql(gw.url, gw.demoKey, 'mutation($id: ID) { startConnection(provider: YAPPOINTMENT, connectionId: $id) { authorizeUrl } }', {
      id: conn.id,
    });
    expect(wrong.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');

    const start = await gql(
      gw.url,
      gw.demoKey,
      'mutation($id: ID) { startConnection(provider: DAYSCHEDULE, connectionId: $id) { authorizeUrl connection { id status } } }',
      { id: conn.id },
    );
    expect(start.body.data.startConnection.connection).toEqual({ id: conn.id, status: 'PENDING' });
    const page = await allow(start.body.data.startConnection.authorizeUrl);
    expect(page.status).toBe(200);
    expect(page.html).toContain('DaySchedule is connected');

    const after = await gql(gw.url, gw.demoKey, 'query($id: ID!) { node(id: $id) { id ... on Booking { provider } } connections { id provider status } }', {
      id: bookingId,
    });
    expect(after.body.errors).toBeUndefined();
    expect(after.body.data.node).toEqual({ id: bookingId, provider: 'DAYSCHEDULE' });
    expect(after.body.data.connections.find((c: any) => c.id === conn.id).status).toBe('ACTIVE');
  });
});
