import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { TenantService } from '../auth/tenants.js';
import type { ConnectionRecord, ConnectionRepository } from '../connections/connections.js';
import { ConnectionStatus } from '../connectors/enums.js';
import { asProviderError } from '../connectors/errors.js';
import type { Connector } from '../connectors/types.js';
import { mapLimit } from '../connectors/util.js';
import type { Store } from '../store/store.js';

/** Connections kept alive at once by the instance that holds the lease. */
const CONCURRENCY = 4;

/**
 * Keeps idle connections' long-lived grants alive (bookingtime's 30-day refresh token, yAppointment's
 * 90-day one): every `intervalMs`, the one instance holding the `keepalive` lease in the shared store
 * asks each ACTIVE connection's connector to renew a grant that ends within `aheadMs`. A connection in
 * use renews on its own; this is for the ones nobody queries.
 */
export class GrantKeepAlive {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private readonly owner = `keepalive-${randomUUID()}`;

  constructor(
    private readonly deps: {
      store: Store;
      tenants: TenantService;
      connections: ConnectionRepository;
      connector(record: ConnectionRecord): Connector;
      intervalMs: number;
      aheadMs: number;
      log: Logger;
    },
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.deps.intervalMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One round (skipped where another instance holds the lease); answers how many grants were renewed. */
  tick(): Promise<number> {
    this.running ??= this.round().finally(() => (this.running = null));
    return this.running;
  }

  private async round(): Promise<number> {
    if (!(await this.deps.store.lease('keepalive', this.owner, 2 * this.deps.intervalMs))) return 0;
    const records: ConnectionRecord[] = [];
    for (const tenant of await this.deps.tenants.list()) {
      for (const c of await this.deps.connections.listForTenant(tenant.id)) if (c.status === ConnectionStatus.ACTIVE) records.push(c);
    }
    const renewed = await mapLimit(records, CONCURRENCY, async (record) => {
      const connector = this.deps.connector(record);
      if (!connector.keepAlive) return false;
      try {
        const done = await connector.keepAlive(this.deps.aheadMs);
        if (done) this.deps.log.info({ connectionId: record.id, provider: record.provider }, 'grant renewed ahead of expiry');
        return done;
      } catch (err) {
        const e = asProviderError(err, record.provider, 'keepAlive');
        this.deps.log.warn({ connectionId: record.id, provider: record.provider, code: e.code }, e.message);
        return false;
      }
    });
    return renewed.filter(Boolean).length;
  }
}
