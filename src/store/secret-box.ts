import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM encryption of secrets at rest, with the key id stored beside each value so keys can
 * rotate: the first key encrypts, every listed key decrypts. The associated data binds a
 * ciphertext to the record it belongs to (a value copied to another key fails to decrypt).
 *
 * Format: `enc:v1:<keyId>:<iv b64url>:<ciphertext b64url>:<tag b64url>`.
 */
export class SecretBox {
  private readonly keys: Map<string, Buffer>;
  private readonly currentId: string;

  constructor(keys: Array<{ id: string; key: Buffer }>) {
    if (keys.length === 0) throw new Error('SecretBox needs at least one key');
    for (const k of keys) {
      if (k.key.length !== 32) throw new Error(`encryption key ${k.id} must be 32 bytes`);
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(k.id)) throw new Error(`encryption key id ${k.id} must be 1-32 of [A-Za-z0-9_-]`);
    }
    this.keys = new Map(keys.map((k) => [k.id, k.key]));
    this.currentId = keys[0].id;
  }

  /**
   * Parses `BOOKGRAPH_ENCRYPTION_KEY`: `base64` (key id `k1`) or `id1:base64,id2:base64`.
   * Throws with a message that says how to make a key.
   */
  static fromEnv(value: string): SecretBox {
    const parts = value
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const keys = parts.map((part, i) => {
      const [id, b64] = part.includes(':') ? part.split(':', 2) : [`k${i + 1}`, part];
      const key = Buffer.from(b64, 'base64');
      if (key.length !== 32) {
        throw new Error(
          `BOOKGRAPH_ENCRYPTION_KEY: key "${id}" is not 32 bytes of base64. Make one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`,
        );
      }
      return { id, key };
    });
    return new SecretBox(keys);
  }

  static generateKey(): string {
    return randomBytes(32).toString('base64');
  }

  get keyId(): string {
    return this.currentId;
  }

  encrypt(plaintext: string, associatedData: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentId) as Buffer, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['enc', 'v1', this.currentId, iv.toString('base64url'), ct.toString('base64url'), cipher.getAuthTag().toString('base64url')].join(':');
  }

  /** Decrypts; throws when the key id is unknown or the value was tampered with or moved. */
  decrypt(sealed: string, associatedData: string): string {
    const [tag0, version, keyId, iv, ct, tag] = sealed.split(':');
    if (tag0 !== 'enc' || version !== 'v1' || !iv || !ct || !tag) throw new Error('not an encrypted value');
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`no encryption key with id ${keyId} is configured`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }

  sealJson(value: unknown, associatedData: string): string {
    return this.encrypt(JSON.stringify(value), associatedData);
  }

  openJson<T>(sealed: string, associatedData: string): T {
    return JSON.parse(this.decrypt(sealed, associatedData)) as T;
  }

  /**
   * 32-byte keys for another use (e.g. signing cursors), derived from every configured key with
   * HKDF-SHA-256 (RFC 5869, no salt, `info` = `purpose`), the current key's first. The encryption
   * keys themselves never leave the box, and each purpose gets keys of its own.
   */
  derivedKeys(purpose: string): Buffer[] {
    const ids = [this.currentId, ...[...this.keys.keys()].filter((id) => id !== this.currentId)];
    return ids.map((id) => Buffer.from(hkdfSync('sha256', this.keys.get(id) as Buffer, Buffer.alloc(0), purpose, 32)));
  }

  /** True when `sealed` was made with a key other than the current one (re-encrypt on write). */
  needsRotation(sealed: string): boolean {
    return sealed.split(':')[2] !== this.currentId;
  }
}
