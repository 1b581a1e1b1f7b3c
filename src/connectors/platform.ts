import type { ResponseTtls } from './response-cache.js';
import type { ConnectorModule, WebhookCapabilities } from './types.js';

/** Where a platform is served: its API host and its authorization host (often the same). */
export interface PlatformHosts {
  api: string;
  auth: string;
}

/**
 * Everything the rest of the gateway knows about one platform, in one place. The list of these
 * (`src/connectors/platforms.ts`) is the only list of platforms: the GraphQL `Provider` enum, display
 * names, slugs, configuration variables and their defaults, the connector hub's endpoints, the demo
 * tenant's credentials and the emulators all derive from it.
 */
export interface PlatformDefinition<Key extends string = string, Credentials = any, Settings extends Record<string, unknown> = any> {
  /** The GraphQL `Provider` value and the prefix of its configuration variables (`APPOINTEDD_API_URL`). */
  key: Key;
  /** The key in lower case: the OAuth callback path (`/oauth/callback/appointedd`) and the emulator's name. */
  slug: Lowercase<Key>;
  /** How people write the platform's name (`Appointedd`, `bookingtime`). */
  displayName: string;
  /** Production hosts, `https://…` without a trailing slash. */
  hosts: PlatformHosts;
  /** The platform's own sandbox hosts (`connectProvider(sandbox: true)`); null when it has none (production hosts are used). */
  sandboxHosts: PlatformHosts | null;
  /** The project's notes on the platform: `docs/platforms/<slug>.md`. */
  docs: `docs/platforms/${Lowercase<Key>}.md`;
  /** How booking events reach the gateway (what every connector of the platform's `webhooks` says too). */
  webhooks: Pick<WebhookCapabilities, 'mode' | 'push'>;
  module: ConnectorModule<Credentials, Settings>;
  /**
   * Sandbox mode only: turns what the emulator's dashboard hands out (`GET /__sandbox/credentials`)
   * into `connectProvider` credentials for the demo tenant. Absent for consent-screen platforms,
   * which the demo tenant connects through the consent page.
   */
  demoCredentials?: (dashboard: Record<string, any>) => unknown;
  /** How long the platform's answers are reused, where it differs from `DEFAULT_RESPONSE_TTLS`. */
  responseTtls?: Partial<ResponseTtls>;
}

/** Who a platform is: the data-only part of its definition, kept in its `provider.ts`. */
export type PlatformIdentity<Key extends string> = Pick<
  PlatformDefinition<Key>,
  'key' | 'slug' | 'displayName' | 'hosts' | 'sandboxHosts' | 'docs' | 'webhooks'
>;

/**
 * Declares a platform from its identity (its `provider.ts` descriptor, which may carry more data)
 * and its connector module; `key`, `slug` and `docs` are checked against each other by the compiler.
 */
export function definePlatform<const Key extends Uppercase<string>, Credentials, Settings extends Record<string, unknown>>(
  identity: PlatformIdentity<Key>,
  parts: Pick<PlatformDefinition<Key, Credentials, Settings>, 'module' | 'demoCredentials' | 'responseTtls'>,
): PlatformDefinition<Key, Credentials, Settings> {
  const { key, slug, displayName, hosts, sandboxHosts, docs, webhooks } = identity;
  return { key, slug, displayName, hosts, sandboxHosts, docs, webhooks: { mode: webhooks.mode, push: webhooks.push }, ...parts };
}
