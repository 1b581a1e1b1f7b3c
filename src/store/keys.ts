import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SecretBox } from './secret-box.js';

export const MAKE_KEY_HINT = `node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`;

/**
 * The encryption key: `BOOKGRAPH_ENCRYPTION_KEY` when set. In sandbox mode without one, a key is
 * created once under the data directory (mode 0600) and reused; outside sandbox mode a missing key
 * is an error that says how to make one.
 */
export function loadSecretBox(opts: { envKey?: string; sandbox: boolean; dataDir: string }): { box: SecretBox; source: string } {
  if (opts.envKey) return { box: SecretBox.fromEnv(opts.envKey), source: 'BOOKGRAPH_ENCRYPTION_KEY' };
  if (!opts.sandbox) {
    throw new Error(`BOOKGRAPH_ENCRYPTION_KEY is required outside sandbox mode (secrets are encrypted at rest). Make one with: ${MAKE_KEY_HINT}`);
  }
  const path = join(opts.dataDir, 'encryption.key');
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${SecretBox.generateKey()}\n`, { mode: 0o600 });
  }
  return { box: SecretBox.fromEnv(readFileSync(path, 'utf8').trim()), source: path };
}

/** The directory of a `file://` store URL (the embedded default), else `./data`. */
export function dataDirOf(storeUrl: string): string {
  return storeUrl.startsWith('file://') ? dirname(resolve(storeUrl.slice('file://'.length))) : resolve('data');
}
