import { randomHex } from '../framework/util.js';
import type { AccessToken, Account, Booking, Customer, OAuthClient, Resource, Service, WebhookSubscription } from './model.js';
import { buildSeed } from './seed.js';

/** The demo OAuth clients (contract §1): "All accounts" first, then the "Specific" one. */
export const GLASGOW_ID = '83861be437a9798f2e10b49e';
export const TORONTO_ID = '20fad5e5f4c7b2f1c7b0f924';

export const CLIENTS: readonly OAuthClient[] = [
  {
    clientId: 'f3d7dc47ead1d93947855cf2',
    clientSecret: 'UruRblt0GStVVMs0tYFMgfnu7HFJIhAn2V0muhBCBj3WgkV0',
    permission: 'all',
    accountIds: [GLASGOW_ID, TORONTO_ID],
  },
  {
    clientId: 'f3d8d1e6401e3742fd041720',
    clientSecret: 'sZ3vRBTjSIeZCAjQFuZADKOqrEdi258ZBZNLsuG5t51RKZ1k',
    permission: 'specific',
    accountIds: [GLASGOW_ID],
  },
];

/**
 * Everything the emulator holds in memory: seed-derived records, access tokens and webhook
 * subscriptions. `reset()` restores the seed and clears the rest.
 */
export class AppointeddState {
  accounts = new Map<string, Account>();
  services = new Map<string, Service>();
  resources = new Map<string, Resource>();
  customers = new Map<string, Customer>();
  bookings = new Map<string, Booking>();
  tokens = new Map<string, AccessToken>();
  subscriptions = new Map<string, WebhookSubscription>();
  private seq = 0;

  constructor(private readonly anchorDate: string) {
    this.reset();
  }

  reset(): void {
    const seed = buildSeed(this.anchorDate);
    const byId = <T extends { id: string }>(items: T[]) => new Map(items.map((i) => [i.id, i]));
    this.accounts = byId(seed.accounts);
    this.services = byId(seed.services);
    this.resources = byId(seed.resources);
    this.customers = byId(seed.customers);
    this.bookings = byId(seed.bookings);
    this.seq = seed.nextSeq;
    this.tokens.clear();
    this.subscriptions.clear();
  }

  /** The next insertion number (breaks `created` ties in the newest-first order). */
  nextSeq(): number {
    return this.seq++;
  }

  /** A fresh ObjectId: 4 bytes of creation time (seconds), 8 random bytes; unique across all tables. */
  newObjectId(nowMs: number): string {
    const time = Math.floor(nowMs / 1000)
      .toString(16)
      .padStart(8, '0')
      .slice(-8);
    for (;;) {
      const id = `${time}${randomHex(16)}`;
      if (!this.accounts.has(id) && !this.services.has(id) && !this.customers.has(id) && !this.bookings.has(id) && !this.subscriptions.has(id)) {
        return id;
      }
    }
  }

  /** The service's resources in their configured order. */
  resourcesOf(service: Service): Resource[] {
    return service.resourceIds.map((id) => this.resources.get(id)).filter((r): r is Resource => r !== undefined);
  }

  /** Services a resource performs. */
  servicesOf(resource: Resource): Service[] {
    return [...this.services.values()].filter((s) => s.resourceIds.includes(resource.id));
  }

  /** Live (not cancelled) bookings of `resourceId` overlapping `[start, end)`, except `exceptId`. */
  overlapping(resourceId: string, start: number, end: number, exceptId?: string): Booking[] {
    const out: Booking[] = [];
    for (const b of this.bookings.values()) {
      if (b.resourceId !== resourceId || b.status === 'cancelled' || b.id === exceptId) continue;
      if (b.start < end && start < b.end) out.push(b);
    }
    return out;
  }
}
