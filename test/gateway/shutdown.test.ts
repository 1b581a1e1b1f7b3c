import { describe, expect, it } from 'vitest';
import { gql, sandbox, startTestGateway } from '../helpers/gateway.js';

describe('graceful shutdown', () => {
  it('finishes a request in flight, then stops accepting new ones', async () => {
    const gw = await startTestGateway();
    const appointedd = gw.emulators.appointedd as string;
    await sandbox(appointedd, 'latency', { ms: 1_500 });
    const started = Date.now();
    const inFlight = gql(gw.url, gw.demoKey, '{ bookings(first: 2, filter: { providers: [APPOINTEDD] }) { edges { node { provider } } } }');
    await new Promise((r) => setTimeout(r, 300));
    const closing = gw.close();
    const answer = await inFlight;
    await closing;
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.bookings.edges).toEqual([{ node: { provider: 'APPOINTEDD' } }, { node: { provider: 'APPOINTEDD' } }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
    await expect(fetch(`${gw.url}/healthz`)).rejects.toThrow();
  });
});

describe('the bookgraph process', () => {
  it('drains and exits 0 on SIGTERM (and on SIGINT)', async () => {
    const { spawn } = await import('node:child_process');
    const { join } = await import('node:path');
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const child = spawn(process.execPath, ['bin/bookgraph.js', 'start'], {
        cwd: join(import.meta.dirname, '../..'),
        env: {
          PATH: process.env.PATH ?? '',
          PORT: '0',
          SANDBOX_PORT_BASE: '0',
          STORE_URL: 'memory://',
          LOG_LEVEL: 'silent',
          BOOKGRAPH_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
        },
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      for (let i = 0; i < 300 && !out.includes('Ctrl+C stops'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).toContain('GraphiQL:');
      const url = /GraphiQL:\s+(\S+)\/graphql/.exec(out)?.[1] as string;
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const sent = Date.now();
      child.kill(signal);
      expect(await exited).toBe(0);
      expect(Date.now() - sent).toBeLessThan(10_000);
      expect(out).toContain(`${signal}: draining and shutting down`);
    }
  });
});
