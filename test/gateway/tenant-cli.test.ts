import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// `bookgraph tenant …` as a user runs it: the compiled CLI as a child process on a file store in a
// temporary folder (`npm test` builds dist/ first), then a gateway started on that store.
const root = join(import.meta.dirname, '../..');
const BIN = join(root, 'bin', 'bookgraph.js');
const dir = mkdtempSync(join(tmpdir(), 'bookgraph-tenant-cli-'));
const env = { PATH: process.env.PATH ?? '', STORE_URL: `file://${join(dir, 'bookgraph.json')}`, LOG_LEVEL: 'silent', SANDBOX_PORT_BASE: '0', PORT: '0' };

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: root, env, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let gateway: ChildProcess | null = null;
afterAll(() => {
  gateway?.kill('SIGKILL');
});

/** Starts `bookgraph start` on the store; resolves with its URL once the banner is out. */
function startGateway(): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [BIN, 'start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  gateway = child;
  let out = '';
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the gateway exited (${code}): ${out}`)));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /GraphiQL: +(\S+)\/graphql/.exec(out)?.[1];
      if (url && out.includes('Started in')) {
        child.removeAllListeners('exit');
        resolve({
          url,
          stop: () =>
            new Promise<void>((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
  });
}

const status = (url: string, key: string) =>
  fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: '{ connections { provider } }' }),
  }).then((r) => r.status);

describe('bookgraph tenant', () => {
  let firstKey = '';
  let newKey = '';

  it('create makes a tenant and prints its key once; the same name again is refused in one line', async () => {
    const created = await cli('tenant', 'create', 'Acme Clinics');
    expect(created.code).toBe(0);
    firstKey = /API key \(shown once, store it now\): (bg_\S+)/.exec(created.stdout)?.[1] ?? '';
    expect(firstKey).toMatch(/^bg_/);
    const again = await cli('tenant', 'create', 'Acme Clinics');
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toMatch(/a tenant named "Acme Clinics" already exists \(tn_\w+\)/);
  });

  it('rotate-key prints a new key; on a gateway started afterwards the old key gets 401 and the new one works', async () => {
    const rotated = await cli('tenant', 'rotate-key', 'Acme Clinics');
    expect(rotated.code).toBe(0);
    newKey = /^(bg_\S+)$/m.exec(rotated.stdout)?.[1] ?? '';
    expect(newKey).toMatch(/^bg_/);
    expect(newKey).not.toBe(firstKey);
    const running = await startGateway();
    try {
      expect(await status(running.url, firstKey)).toBe(401);
      expect(await status(running.url, newKey)).toBe(200);
    } finally {
      await running.stop();
    }
  });

  it("list shows each tenant's connections (the demo tenant's, made by that gateway)", async () => {
    const listed = await cli('tenant', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^tn_\w+\tAcme Clinics\t\S+\tno connections$/m);
    expect(listed.stdout).toMatch(/^tn_\w+\tdemo\t\S+\tDAYSCHEDULE: ACTIVE, .*ONSCHED: ACTIVE$/m);
  });

  it('delete removes the tenant, its keys and its connections; an unknown tenant is one line, exit 1', async () => {
    const listed = await cli('tenant', 'list');
    const demoId = /^(tn_\w+)\tdemo\t/m.exec(listed.stdout)?.[1] as string;
    const deleted = await cli('tenant', 'delete', demoId);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toMatch(/Deleted tenant demo .* and 5 connections with their tokens\./);
    expect((await cli('tenant', 'delete', 'Acme Clinics')).code).toBe(0);
    const after = await cli('tenant', 'list');
    expect(after.stdout).toBe('');
    const missing = await cli('tenant', 'delete', 'Acme Clinics');
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toEqual(['bookgraph: no tenant with the id or name "Acme Clinics" (bookgraph tenant list shows them)']);
    // The deleted tenant's key no longer opens anything, on a gateway started on the store.
    const running = await startGateway();
    try {
      expect(await status(running.url, newKey)).toBe(401);
    } finally {
      await running.stop();
    }
  });
});
