import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'bookgraph-store-'));
const storeUrl = `file://${join(dir, 'bookgraph.json')}`;
let open: TestGateway | null = null;
afterAll(async () => {
  await open?.close();
});

/** Everything the embedded store has written to disk, as text. */
function rawStore(): string {
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

const BOOKINGS = '{ connections { id provider status } bookings(first: 5) { edges { node { id provider } } } }';

describe('the embedded durable store', () => {
  let firstConnections: unknown;
  let encryptionKey: string;

  it('keeps no plaintext secret at rest', async () => {
    open = await startTestGateway({ storeUrl });
    encryptionKey = open.encryptionKey;
    const r = await gql(open.url, open.demoKey, BOOKINGS);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.bookings.edges.length).toBe(5);
    firstConnections = r.body.data.connections;
    const creds = await sandbox(open.emulators.appointedd as string, 'credentials');
    const connectionId = (await open.gateway.services.connections.listForTenant((await open.gateway.services.tenants.findByName('demo'))!.id)).find(
      (c) => c.provider === 'APPOINTEDD',
    )!.id;
    const token = await open.gateway.services.tokens.forConnection(connectionId).peek('default');
    expect(token?.accessToken).toBeTruthy();
    await open.close();
    open = null;
    const raw = rawStore();
    expect(raw.length).toBeGreaterThan(100);
    for (const secret of [creds.client_secret, creds.client_id, token?.accessToken as string, encryptionKey]) {
      expect(raw).not.toContain(secret);
    }
    expect(raw).toMatch(/enc:v1:/);
  });

  it('survives a restart: the demo connection is still there and works without new credentials', async () => {
    open = await startTestGateway({ storeUrl, encryptionKey });
    const r = await gql(open.url, open.demoKey, BOOKINGS);
    expect(r.body.errors).toBeUndefined();
    // Same connections (same ids), all ACTIVE: Appointedd's kept its stored token and client
    // credentials; platforms whose in-memory emulator grants were lost were re-granted in place.
    expect(r.body.data.connections).toEqual(firstConnections);
    expect(r.body.data.bookings.edges.length).toBe(5);
    const stats = await sandbox(open.emulators.appointedd as string, 'stats');
    expect(stats.token.client_credentials).toBe(1); // the fresh emulator refused the old token once (401), one new grant
    expect(stats.unauthorized).toBe(1);
  });

  it('refuses to open the store from a second process while one holds it', async () => {
    const script = `import { openStore } from './src/store/store.ts'; try { await openStore(${JSON.stringify(storeUrl)}); console.log('opened'); } catch (e) { console.log('refused: ' + e.message); }`;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: join(import.meta.dirname, '../..') });
    expect(stdout).toMatch(/refused: .*in use by process/);
  });
});

describe('start-up configuration', () => {
  const cli = (env: Record<string, string>) =>
    run(process.execPath, ['bin/bookgraph.js', 'start'], {
      cwd: join(import.meta.dirname, '../..'),
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 20_000,
    }).then(
      (r) => ({ code: 0, out: r.stdout + r.stderr }),
      (e) => ({ code: e.code as number, out: String(e.stdout) + String(e.stderr) }),
    );

  it('outside sandbox mode, refuses to start without an encryption key and says how to make one', async () => {
    const r = await cli({ SANDBOX: 'false', STORE_URL: 'memory://', PORT: '0' });
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/BOOKGRAPH_ENCRYPTION_KEY is required/);
    expect(r.out).toMatch(/randomBytes\(32\)/);
    expect(r.out.split('\n').filter(Boolean).length).toBeLessThanOrEqual(2);
  });

  it('a bad value stops start-up with one line naming the variable', async () => {
    const r = await cli({ PORT: 'eighty', STORE_URL: 'memory://' });
    expect(r.code).not.toBe(0);
    expect(r.out.trim().split('\n')).toHaveLength(1);
    expect(r.out).toMatch(/^Invalid configuration: PORT/);
  });
});
