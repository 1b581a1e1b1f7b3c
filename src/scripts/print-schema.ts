import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printGatewaySchema } from '../server/schema.js';

/** Writes schema/schema.graphql; with --check, fails when the committed file differs. */
const target = fileURLToPath(new URL('../../schema/schema.graphql', import.meta.url));
const printed = printGatewaySchema();
if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    // missing counts as different
  }
  if (committed !== printed) {
    console.error('schema/schema.graphql is out of date: run `npm run schema:print` and commit it.');
    process.exit(1);
  }
  console.log('schema/schema.graphql matches the code.');
} else {
  writeFileSync(target, printed);
  console.log(`wrote ${target}`);
}
