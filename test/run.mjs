#!/usr/bin/env node
// `npm test`: every vitest suite. Suites that need Redis or Chromium run when those are here; on a
// machine without them they are skipped with one line saying so — unless CI=true, where they are
// required and a missing one fails the run. Ends with a plain "N passed, N failed" line.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ci = process.env.CI === 'true';
const reachable = (port) =>
  new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.setTimeout(1_000);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });

const needs = {
  redis: { ok: await reachable(6379), why: 'no Redis at 127.0.0.1:6379' },
  postgres: { ok: await reachable(5432), why: 'no PostgreSQL at 127.0.0.1:5432' },
  browser: { ok: existsSync('/usr/bin/chromium'), why: 'no /usr/bin/chromium' },
};
const missing = Object.entries(needs).filter(([, n]) => !n.ok);
if (missing.length) {
  const line = missing.map(([name, n]) => `${name} suites (${n.why})`).join('; ');
  if (ci) {
    console.error(`CI=true requires every suite, but these cannot run: ${line}`);
    process.exit(1);
  }
  console.log(`skipped: ${line}`);
}

const out = join(mkdtempSync(join(tmpdir(), 'bookgraph-test-')), 'results.json');
const env = { ...process.env };
for (const [name, n] of Object.entries(needs)) env[`BOOKGRAPH_TEST_${name.toUpperCase()}`] = n.ok ? '1' : '0';
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(2)];
const child = spawn('npx', args, { stdio: 'inherit', env });
child.on('exit', (code) => {
  let summary = null;
  try {
    summary = JSON.parse(readFileSync(out, 'utf8'));
  } catch {
    // vitest died before writing results
  }
  if (summary) {
    const skipped = summary.numPendingTests + summary.numTodoTests;
    console.log(`${summary.numPassedTests} passed, ${summary.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
  }
  process.exit(code ?? 1);
});
