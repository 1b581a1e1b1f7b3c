import type { Clock } from '../framework/clock.js';
import { randomHex } from '../framework/util.js';
import { type Booking, type SeedData, type Trigger, objectId } from './model.js';
import { buildSeed } from './seed.js';

/** An authorization code (README §4: 10 minutes, single use). */
export interface AuthCode {
  clientId: string;
  redirectUri: string;
  orgId: number;
  expiresAt: number;
  used: boolean;
  /** The grant the exchange created (to revoke it when the code is replayed). */
  grantId: string | null;
}

/** One consent = one grant; every token issued from it carries its id. */
export interface Grant {
  id: string;
  clientId: string;
  orgId: number;
  revoked: boolean;
}

export interface AccessToken {
  grantId: string;
  orgId: number;
  expiresAt: number;
}

export interface RefreshToken {
  grantId: string;
  clientId: string;
  orgId: number;
}

/** Code lifetime (README §4). */
export const CODE_TTL_MS = 600_000;
/** Access-token lifetime (§2.2: 3600 seconds). */
export const ACCESS_TTL_SECONDS = 3_600;

/** The emulator's in-memory data, token tables and triggers; `reset()` restores the seed. */
export class DayScheduleState {
  data!: SeedData;
  codes = new Map<string, AuthCode>();
  grants = new Map<string, Grant>();
  accessTokens = new Map<string, AccessToken>();
  refreshTokens = new Map<string, RefreshToken>();
  triggers: Trigger[] = [];
  /** `${triggerId}:${bookingId}` of time triggers already fired (once per booking and trigger). */
  fired = new Set<string>();
  private seed: SeedData;

  constructor(
    readonly clock: Clock,
    anchorDate: string,
  ) {
    this.seed = buildSeed(anchorDate);
    this.reset();
  }

  reset(): void {
    this.data = structuredClone(this.seed);
    this.codes.clear();
    this.grants.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.triggers = [];
    this.fired.clear();
  }

  /** A new 24-hex id stamped with the emulator clock. */
  newId(): string {
    return objectId(this.clock.now(), randomHex(16));
  }

  org(orgId: number) {
    return this.data.orgs.find((o) => o.org_id === orgId);
  }

  user(orgId: number, userId: number) {
    return this.data.users.find((u) => u.org_id === orgId && u.user_id === userId);
  }

  resource(orgId: number, id: string) {
    return this.data.resources.find((r) => r.org_id === orgId && r.id === id);
  }

  booking(orgId: number, id: string): Booking | undefined {
    return this.data.bookings.find((b) => b.org_id === orgId && b.booking_id === id);
  }

  /** A booking of any organization (control routes and the public widget API). */
  anyBooking(id: string): Booking | undefined {
    return this.data.bookings.find((b) => b.booking_id === id);
  }

  /** Inserts keeping the list sorted by `start_at`, then id. */
  addBooking(booking: Booking): void {
    this.data.bookings.push(booking);
    this.sortBookings();
  }

  sortBookings(): void {
    this.data.bookings.sort((a, b) => a.start_at - b.start_at || a.booking_id.localeCompare(b.booking_id));
  }

  /** Revokes a grant and drops every token issued under it. */
  revokeGrant(grantId: string): void {
    const grant = this.grants.get(grantId);
    if (grant) grant.revoked = true;
    for (const [t, a] of this.accessTokens) if (a.grantId === grantId) this.accessTokens.delete(t);
    for (const [t, r] of this.refreshTokens) if (r.grantId === grantId) this.refreshTokens.delete(t);
  }

  /** README §7 revoke-all: counts what was alive, then kills every grant, code and token. */
  revokeAll(): { accessTokens: number; refreshTokens: number; codes: number } {
    const now = this.clock.now();
    const counts = {
      accessTokens: [...this.accessTokens.values()].filter((a) => a.expiresAt > now).length,
      refreshTokens: this.refreshTokens.size,
      codes: [...this.codes.values()].filter((c) => !c.used && c.expiresAt > now).length,
    };
    for (const g of this.grants.values()) g.revoked = true;
    this.codes.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    return counts;
  }
}
