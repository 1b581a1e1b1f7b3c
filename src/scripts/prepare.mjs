#!/usr/bin/env node
// `prepare` (run by `npm ci` and `npm install`): `npm run build` when the build tools (dev
// dependencies: typescript, esbuild) are installed. A production install without them
// (`npm ci --omit=dev`) skips it with one line: build with a full install, then `npm prune --omit=dev`.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const missing = ['typescript', 'esbuild'].filter((name) => {
  try {
    require.resolve(name);
    return false;
  } catch {
    return true;
  }
});
if (missing.length) {
  console.log(`prepare: ${missing.join(' and ')} not installed (production install?): dist/ not built; build with a full install, then npm prune --omit=dev.`);
  process.exit(0);
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const result = spawnSync(npm, ['run', 'build'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
