import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PLATFORMS } from '../../src/connectors/platforms.js';

/**
 * The one list of platforms (src/connectors/platforms.ts) against what "adding a platform" asks for
 * (README): hosts, a slug derived from the key, its docs page, and a contract test file that runs
 * the shared connector contract with a case for it. A platform added to the list without one of
 * these fails here.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');

/** An https origin: no path, query, fragment, credentials or trailing slash. */
function isHttpsOrigin(value: unknown): boolean {
  if (typeof value !== 'string' || value.endsWith('/')) return false;
  try {
    const u = new URL(value);
    return u.protocol === 'https:' && u.origin === value;
  } catch {
    return false;
  }
}

describe('isHttpsOrigin (the check below)', () => {
  it.each(['https://api.example.com', 'https://auth.example.com:8443'])('accepts %s', (v) => expect(isHttpsOrigin(v)).toBe(true));
  it.each(['http://api.example.com', 'https://api.example.com/', 'https://api.example.com/v1', 'api.example.com', '', null])('rejects %s', (v) =>
    expect(isHttpsOrigin(v)).toBe(false),
  );
});

describe('platform list', () => {
  it('has platforms with distinct keys and slugs', () => {
    expect(PLATFORMS.length).toBeGreaterThanOrEqual(5);
    expect(new Set(PLATFORMS.map((p) => p.key)).size).toBe(PLATFORMS.length);
    expect(new Set(PLATFORMS.map((p) => p.slug)).size).toBe(PLATFORMS.length);
  });

  describe.each(PLATFORMS.map((p) => ({ key: p.key, platform: p })))('$key', ({ key, platform }) => {
    it('has the lower-cased key as its slug', () => {
      expect(platform.slug).toBe(key.toLowerCase());
    });

    it('has https API and auth hosts without a trailing slash (sandbox hosts too, when it has them)', () => {
      const hosts = [platform.hosts, ...(platform.sandboxHosts === null ? [] : [platform.sandboxHosts])];
      expect(platform.sandboxHosts === null || typeof platform.sandboxHosts === 'object').toBe(true);
      for (const h of hosts) {
        expect(h, `${key} hosts`).toBeTruthy();
        expect({ api: h.api, ok: isHttpsOrigin(h.api) }).toEqual({ api: h.api, ok: true });
        expect({ auth: h.auth, ok: isHttpsOrigin(h.auth) }).toEqual({ auth: h.auth, ok: true });
      }
    });

    it('has its docs page at docs/platforms/<slug>.md', () => {
      expect(platform.docs).toBe(`docs/platforms/${platform.slug}.md`);
      expect(existsSync(`${root}${platform.docs}`), `${platform.docs} is missing`).toBe(true);
    });

    it('has a contract test file that runs the connector contract with its case', () => {
      const path = `test/connectors/${platform.slug}.contract.test.ts`;
      expect(existsSync(`${root}${path}`), `${path} is missing`).toBe(true);
      const source = read(path);
      expect(source).toMatch(/\bconnectorContract\(/);
      expect(source).toMatch(new RegExp(`\\bprovider:\\s*['"]${key}['"]`));
      expect(source).toMatch(new RegExp(`\\bslug:\\s*['"]${platform.slug}['"]`));
      // Its own case only: one contract call, one provider.
      expect(source.match(/\bconnectorContract\(/g)).toHaveLength(1);
      expect(source.match(/\bprovider:\s*['"][A-Z_]+['"]/g)).toHaveLength(1);
    });
  });
});
