import { localParts } from '../framework/seed.js';
import { safeEqual } from '../framework/util.js';
import type { Appointment, Company, Customer, Location, OnSchedData, Resource, Service, Webhook } from './model.js';
import { buildSeed } from './seed.js';

/** Statuses that hold a resource's time (an `IN` hold blocks the slot as well as `RS`/`BK`). */
const BLOCKING = new Set(['IN', 'RS', 'BK']);

/**
 * The OnSched emulator's data: seed records, changes made through the API, and the V3 webhooks per
 * location. Every lookup takes the company id, so another company's objects are invisible (§5: 404).
 */
export class OnSchedState {
  data!: OnSchedData;
  /** Webhooks by location id (§4). */
  webhooks = new Map<string, Webhook[]>();

  constructor(private readonly anchorDate: string) {
    this.reset();
  }

  /** Restores the seed and drops webhook subscriptions. */
  reset(): void {
    this.data = buildSeed(this.anchorDate);
    this.webhooks.clear();
  }

  companyByKey(key: string): Company | undefined {
    return this.data.companies.find((c) => safeEqual(c.apiKey, key));
  }

  company(id: string): Company {
    return this.data.companies.find((c) => c.id === id) as Company;
  }

  locationsOf(companyId: string): Location[] {
    return this.data.locations.filter((l) => l.companyId === companyId);
  }

  location(companyId: string, id: string): Location | undefined {
    return this.data.locations.find((l) => l.id === id && l.companyId === companyId);
  }

  primaryLocation(companyId: string): Location {
    return this.locationsOf(companyId).find((l) => l.primaryBusiness) as Location;
  }

  /** Any location by id (views of records whose company is already known). */
  locationById(id: string): Location {
    return this.data.locations.find((l) => l.id === id) as Location;
  }

  servicesOf(companyId: string): Service[] {
    return this.data.services.filter((s) => s.companyId === companyId);
  }

  service(companyId: string, id: string): Service | undefined {
    return this.data.services.find((s) => s.id === id && s.companyId === companyId);
  }

  /** Whether `service` is offered at `locationId` (null `locationId` = every location). */
  offeredAt(service: Service, locationId: string): boolean {
    return service.locationId === null || service.locationId === locationId;
  }

  resourcesOf(companyId: string): Resource[] {
    return this.data.resources.filter((r) => r.companyId === companyId);
  }

  resource(companyId: string, id: string): Resource | undefined {
    return this.data.resources.find((r) => r.id === id && r.companyId === companyId);
  }

  /** Resources that can perform `service`: those at a location where it is offered. */
  resourcesFor(service: Service, locationId: string | null): Resource[] {
    return this.resourcesOf(service.companyId).filter((r) => this.offeredAt(service, r.locationId) && (locationId === null || r.locationId === locationId));
  }

  customersOf(companyId: string): Customer[] {
    return this.data.customers.filter((c) => c.companyId === companyId);
  }

  customer(companyId: string, id: string): Customer | undefined {
    return this.data.customers.find((c) => c.id === id && c.companyId === companyId);
  }

  /** E-mail addresses are unique per company, compared case-insensitively. */
  customerByEmail(companyId: string, email: string): Customer | undefined {
    const e = email.toLowerCase();
    return this.data.customers.find((c) => c.companyId === companyId && c.email.toLowerCase() === e);
  }

  appointment(companyId: string, id: string): Appointment | undefined {
    return this.data.appointments.find((a) => a.id === id && a.companyId === companyId);
  }

  /** Any appointment by id (control routes, which are not company-scoped). */
  appointmentById(id: string): Appointment | undefined {
    return this.data.appointments.find((a) => a.id === id);
  }

  /** The company's appointments sorted by start, then creation, then id (§3.4, Assumed). */
  appointmentsOf(companyId: string): Appointment[] {
    return this.data.appointments
      .filter((a) => a.companyId === companyId)
      .sort((a, b) => a.startMs - b.startMs || a.createdMs - b.createdMs || (a.id < b.id ? -1 : 1));
  }

  /** Whether [startMs, endMs) lies inside the location's opening hours of one local day. */
  withinHours(location: Location, startMs: number, endMs: number): boolean {
    const s = localParts(location.timezoneIana, startMs);
    const e = localParts(location.timezoneIana, endMs);
    const hours = location.hours[s.weekday];
    if (!hours) return false;
    const startMin = s.hh * 60 + s.mm;
    const endMin = s.d === e.d ? e.hh * 60 + e.mm : 24 * 60 + e.hh * 60 + e.mm;
    return startMin >= hours.open && endMin <= hours.close;
  }

  /** Whether the resource has no blocking appointment overlapping [startMs, endMs) (ignoring `ignoreId`). */
  resourceFree(resourceId: string, startMs: number, endMs: number, ignoreId: string | null = null): boolean {
    return !this.data.appointments.some(
      (a) => a.id !== ignoreId && a.resourceId === resourceId && BLOCKING.has(a.status) && a.startMs < endMs && startMs < a.endMs,
    );
  }

  /** A time is bookable for a resource when inside business hours and not taken (§3.4 409 rule). */
  slotFree(resource: Resource, startMs: number, endMs: number, ignoreId: string | null = null): boolean {
    return this.withinHours(this.locationById(resource.locationId), startMs, endMs) && this.resourceFree(resource.id, startMs, endMs, ignoreId);
  }

  /** The next confirmation number of the company, e.g. `HP-100288`. */
  nextConfirmationNumber(companyId: string): string {
    const n = this.data.nextConfirmation.get(companyId) ?? 100_001;
    this.data.nextConfirmation.set(companyId, n + 1);
    return `${this.company(companyId).confirmationPrefix}-${n}`;
  }

  webhooksOf(locationId: string): Webhook[] {
    return this.webhooks.get(locationId) ?? [];
  }
}
