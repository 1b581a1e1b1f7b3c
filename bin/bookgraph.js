#!/usr/bin/env node
// Runs the compiled CLI from dist/ (`npm run build`, which `npm ci` runs through `prepare`): plain
// JavaScript, no TypeScript at run time.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('bookgraph: dist/ is missing or incomplete: run `npm run build` first.');
  process.exit(1);
}
await import(cli.href);
