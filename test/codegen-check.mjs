#!/usr/bin/env node
// `npm run codegen:check`: regenerates the typed documents into a temporary folder and fails when
// they differ from the committed examples/__generated__/.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const committed = 'examples/__generated__';
const backup = mkdtempSync(join(tmpdir(), 'bookgraph-codegen-'));
cpSync(committed, backup, { recursive: true });
try {
  execFileSync('npx', ['graphql-codegen', '--config', 'codegen.yml', '--silent'], { stdio: 'inherit' });
  const stale = readdirSync(committed).filter((f) => readFileSync(join(committed, f), 'utf8') !== readFileSync(join(backup, f), 'utf8'));
  if (stale.length) {
    console.error(`examples/__generated__ is stale (${stale.join(', ')}): run \`npm run codegen\` and commit the result.`);
    cpSync(backup, committed, { recursive: true });
    process.exit(1);
  }
  console.log('examples/__generated__ matches schema/schema.graphql and the operations.');
} finally {
  rmSync(backup, { recursive: true, force: true });
}
