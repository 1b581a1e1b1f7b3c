import { EventEmitter } from 'node:events';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The embedded durable keyv store: one process owns a directory-local file. Every write is
 * appended to a journal and fsync'ed before the promise resolves, so an acknowledged write
 * survives a crash; the journal is folded into an atomically replaced snapshot on open.
 *
 * Why not keyv-file: it rewrites the whole file in place after a delay, so a crash mid-write
 * loses everything and an awaited `set` can resolve before its value is on disk.
 */
export class FileStore extends EventEmitter {
  readonly opts: { dialect: string; url: string };
  namespace?: string;
  private data = new Map<string, { value: unknown; expires?: number }>();
  private journal!: FileHandle;
  private pending: Array<{ line: string; done: (err?: Error) => void }> = [];
  private flushing: Promise<void> | null = null;
  private readonly lockPath: string;

  private constructor(private readonly path: string) {
    super();
    this.opts = { dialect: 'file', url: `file://${path}` };
    this.lockPath = `${path}.lock`;
  }

  /** Opens (creating) the store at `path`; refuses when another live process holds it. */
  static async open(path: string): Promise<FileStore> {
    const store = new FileStore(path);
    mkdirSync(dirname(path), { recursive: true });
    store.acquireLock();
    store.load();
    store.journal = await open(`${path}.journal`, 'a');
    return store;
  }

  private acquireLock(): void {
    if (existsSync(this.lockPath)) {
      const pid = Number(readFileSync(this.lockPath, 'utf8'));
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new Error(`The store ${this.path} is in use by process ${pid}; stop it or set STORE_URL to another file.`);
      }
    }
    writeFileSync(this.lockPath, String(process.pid));
  }

  private load(): void {
    if (existsSync(this.path)) {
      const snapshot = JSON.parse(readFileSync(this.path, 'utf8')) as Array<[string, { value: unknown; expires?: number }]>;
      this.data = new Map(snapshot);
    }
    const journalPath = `${this.path}.journal`;
    if (existsSync(journalPath)) {
      for (const line of readFileSync(journalPath, 'utf8').split('\n')) {
        if (!line) continue;
        let op: { k?: string; v?: { value: unknown; expires?: number } | null; clear?: true };
        try {
          op = JSON.parse(line);
        } catch {
          break; // a torn final line from a crash: everything before it was acknowledged
        }
        if (op.clear) this.data.clear();
        else if (op.k !== undefined && op.v === null) this.data.delete(op.k);
        else if (op.k !== undefined && op.v) this.data.set(op.k, op.v);
      }
    }
    this.dropExpired();
    // Fold the journal into a new snapshot atomically, then start an empty journal.
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    writeSync(fd, JSON.stringify([...this.data]));
    closeSync(fd);
    renameSync(tmp, this.path);
    if (existsSync(journalPath)) unlinkSync(journalPath);
  }

  private dropExpired(): void {
    const now = Date.now();
    for (const [k, v] of this.data) if (v.expires !== undefined && v.expires <= now) this.data.delete(k);
  }

  private append(op: object): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ line: `${JSON.stringify(op)}\n`, done: (err) => (err ? reject(err) : resolve()) });
      if (!this.flushing) this.flushing = this.flush();
    });
  }

  /** Writes every queued line in one append + fsync, then resolves their promises. */
  private async flush(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending;
      this.pending = [];
      try {
        await this.journal.appendFile(batch.map((b) => b.line).join(''));
        await this.journal.sync();
        for (const b of batch) b.done();
      } catch (err) {
        for (const b of batch) b.done(err as Error);
      }
    }
    this.flushing = null;
  }

  async get(key: string): Promise<unknown> {
    const entry = this.data.get(key);
    if (!entry) return undefined;
    if (entry.expires !== undefined && entry.expires <= Date.now()) {
      await this.delete(key);
      return undefined;
    }
    return entry.value;
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    const entry = { value, expires: typeof ttl === 'number' && ttl > 0 ? Date.now() + ttl : undefined };
    this.data.set(key, entry);
    await this.append({ k: key, v: entry });
    return true;
  }

  async delete(key: string): Promise<boolean> {
    const had = this.data.delete(key);
    if (had) await this.append({ k: key, v: null });
    return had;
  }

  async clear(): Promise<void> {
    this.data.clear();
    await this.append({ clear: true });
  }

  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  async disconnect(): Promise<void> {
    if (this.flushing) await this.flushing;
    await this.journal.close();
    try {
      if (readFileSync(this.lockPath, 'utf8') === String(process.pid)) unlinkSync(this.lockPath);
    } catch {
      // already gone
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
