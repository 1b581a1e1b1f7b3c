import { appointedd } from './appointedd/index.js';
import { bookingtime } from './bookingtime/index.js';
import { dayschedule } from './dayschedule/index.js';
import { onsched } from './onsched/index.js';
import type { PlatformDefinition } from './platform.js';
import { yappointment } from './yappointment/index.js';

/**
 * The platforms Bookgraph connects to: the one list. Adding a platform = a folder that exports its
 * `definePlatform(…)`, one entry here, and its contract test file (README, "Adding a platform").
 * The order is the order of the GraphQL enum and of the emulators' ports.
 */
export const PLATFORMS = [dayschedule, bookingtime, yappointment, appointedd, onsched] as const;

export type Platform = (typeof PLATFORMS)[number];
/** The GraphQL `Provider` enum value of a platform (`APPOINTEDD`). */
export type Provider = Platform['key'];
/** A platform's slug (`appointedd`). */
export type PlatformSlug = Platform['slug'];

const byKey = new Map<string, Platform>(PLATFORMS.map((p) => [p.key, p]));
const bySlug = new Map<string, Platform>(PLATFORMS.map((p) => [p.slug, p]));

/** `Provider.APPOINTEDD === 'APPOINTEDD'`: the enum object type-graphql registers. */
export const Provider = Object.freeze(Object.fromEntries(PLATFORMS.map((p) => [p.key, p.key]))) as { readonly [K in Provider]: K };

/** The definition of a provider (total: every `Provider` has one). */
export function platformOf(provider: Provider): PlatformDefinition<Provider> {
  return byKey.get(provider) as PlatformDefinition<Provider>;
}

export function isProvider(value: unknown): value is Provider {
  return typeof value === 'string' && byKey.has(value);
}

/** The platform of a slug (`appointedd`), or undefined. */
export function platformBySlug(slug: string): PlatformDefinition<Provider> | undefined {
  return bySlug.get(slug) as PlatformDefinition<Provider> | undefined;
}

/** How people write the platform's name. */
export function displayName(provider: Provider): string {
  return platformOf(provider).displayName;
}
