import type { Tenant } from '../auth/tenants.js';
import type { Config } from '../config/config.js';
import type { ConnectionRecord } from '../connections/connections.js';
import { ConnectionStatus } from '../connectors/enums.js';
import { PLATFORMS, type PlatformSlug, type Provider } from '../connectors/platforms.js';
import type { Services } from './app.js';

/**
 * Sandbox mode, the embedded default: the one place production code reaches the emulators
 * (`src/sandbox/`), and only through `import()` when sandbox mode is on, so a production gateway
 * never loads them. It starts them, points each platform's configured URLs at its emulator
 * (configuration only: connectors are unchanged) and connects a demo tenant to every platform.
 */
export async function startSandbox(
  services: Services,
  env: NodeJS.ProcessEnv,
): Promise<{
  emulators: Partial<Record<PlatformSlug, string>>;
  demoApiKey: string;
  /** The demo tenant's connections once set-up has finished (every emulated platform attempted). */
  demoConnections: Array<{ provider: Provider; status: ConnectionStatus }>;
  close(): Promise<void>;
}> {
  const { config } = services;
  const started =
    config.sandboxEmulators === 'external'
      ? externalEmulators(config.sandboxPortBase)
      : await runEmulators({
          port: config.sandboxPortBase,
          rateLimits: config.sandboxRateLimits,
          redirectUris: sandboxRedirectUris(config),
        });
  try {
    const emulators: Partial<Record<PlatformSlug, string>> = {};
    for (const { key, slug } of PLATFORMS) {
      const origin = started.baseUrls[slug];
      // Explicitly configured URLs win (e.g. an emulator a test runs itself, outliving this gateway).
      if (!origin || env[`${key}_API_URL`] || env[`${key}_SANDBOX_API_URL`]) continue;
      emulators[slug] = origin;
      pointAt(config, key, origin, await dashboard(origin));
    }
    const demoApiKey = await setUpDemoTenant(services, emulators, config.demoApiKey);
    const demo = await services.tenants.authenticate(demoApiKey);
    const demoConnections = demo ? (await services.connections.listForTenant(demo.id)).map((c) => ({ provider: c.provider, status: c.status })) : [];
    return { emulators, demoApiKey, demoConnections, close: started.close };
  } catch (err) {
    await started.close();
    throw err;
  }
}

/**
 * The consent redirect URIs the emulators register: `<origin>/oauth/callback/<platform>` for
 * PUBLIC_URL (when set) and every SANDBOX_REDIRECT_ORIGINS origin, so gateways on other ports (a
 * cluster's instances) can finish the consent flow too.
 */
export function sandboxRedirectUris(config: Pick<Config, 'publicUrl' | 'sandboxRedirectOrigins'>): string[] {
  const origins = [...new Set([...(config.publicUrl ? [config.publicUrl] : []), ...config.sandboxRedirectOrigins])];
  return origins.flatMap((origin) => PLATFORMS.map((p) => `${origin}/oauth/callback/${p.slug}`));
}

/** Starts every emulator (`bookgraph sandbox`, or sandbox mode); ports B+1, B+2, … for a base B > 0. */
export async function runEmulators(options: { port?: number; rateLimits?: boolean; redirectUris?: string[] }) {
  const { startAllEmulators } = await import('../sandbox/index.js');
  return startAllEmulators(options);
}

/**
 * Emulators another process runs (`bookgraph sandbox`): the same ports `runEmulators` would take,
 * base+1, base+2, … in the order of the platform list. Their redirect URIs must include this
 * gateway's callback: its PUBLIC_URL is the sandbox's PUBLIC_URL or one of its
 * SANDBOX_REDIRECT_ORIGINS (without either, the emulators register `http://127.0.0.1:4000`).
 */
function externalEmulators(base: number): { baseUrls: Partial<Record<PlatformSlug, string>>; close(): Promise<void> } {
  if (!base) throw new Error('SANDBOX_EMULATORS=external needs SANDBOX_PORT_BASE, the base `bookgraph sandbox` was started with');
  const baseUrls: Partial<Record<PlatformSlug, string>> = {};
  PLATFORMS.forEach((p, i) => {
    baseUrls[p.slug] = `http://127.0.0.1:${base + i + 1}`;
  });
  return { baseUrls, close: async () => undefined };
}

/** The platform's URLs and (when not configured) app credentials become the emulator's. */
function pointAt(config: Config, key: Provider, origin: string, dash: Record<string, unknown>): void {
  const current = config.platforms[key];
  const app =
    typeof dash.client_id === 'string' && typeof dash.client_secret === 'string' ? { clientId: dash.client_id, clientSecret: dash.client_secret } : {};
  config.platforms[key] = {
    ...current,
    apiUrl: origin,
    authUrl: origin,
    sandboxApiUrl: origin,
    sandboxAuthUrl: origin,
    clientId: current.clientId ?? app.clientId,
    clientSecret: current.clientSecret ?? app.clientSecret,
  };
}

/** What an emulator's dashboard hands out (`GET /__sandbox/credentials`). */
async function dashboard(origin: string): Promise<Record<string, any>> {
  const res = await fetch(`${origin}/__sandbox/credentials`);
  return (await res.json()) as Record<string, any>;
}

const DEMO_TENANT = 'demo';
const DEMO_KEY_RECORD = 'sandbox:demo-api-key';
const DEMO_LOCK = 'sandbox:demo-tenant';

/**
 * Creates (or reuses) the demo tenant and connects it to every emulator whose platform has a
 * connector, reusing connections that are still ACTIVE (so a restart keeps them, tokens included).
 * Returns the demo API key (DEMO_API_KEY when set; else generated once and kept encrypted).
 *
 * Gateways sharing a store (a cluster on one Redis or PostgreSQL) do this under one store lock, held
 * across processes there: whichever instance starts first creates the tenant and its connections,
 * and the others, reading the store once they hold the lock, find them ACTIVE and keep them. One
 * demo tenant, one connection per platform, one grant each at the platforms.
 */
async function setUpDemoTenant(services: Services, emulators: Partial<Record<PlatformSlug, string>>, fixedKey?: string): Promise<string> {
  // An instance that dies mid set-up frees the lock within a minute; a waiter waits that long too.
  return services.store.withLock(DEMO_LOCK, () => demoTenantOnce(services, emulators, fixedKey), { ttlMs: 60_000, waitMs: 60_000 });
}

async function demoTenantOnce(services: Services, emulators: Partial<Record<PlatformSlug, string>>, fixedKey?: string): Promise<string> {
  const { tenants, store, box, lifecycle, connections, log } = services;
  let tenant = await tenants.findByName(DEMO_TENANT);
  let apiKey = fixedKey ?? null;
  if (!apiKey) {
    const sealed = await store.get<string>(DEMO_KEY_RECORD);
    apiKey = sealed ? box.decrypt(sealed, DEMO_KEY_RECORD) : null;
  }
  if (!tenant) {
    const created = await tenants.create(DEMO_TENANT, apiKey ?? undefined);
    tenant = created.tenant;
    apiKey = created.apiKey;
  } else if (!apiKey) {
    apiKey = (await tenants.create(`${DEMO_TENANT}-${Date.now()}`)).apiKey;
  } else {
    await tenants.addKey(tenant.id, apiKey);
  }
  await store.set(DEMO_KEY_RECORD, box.encrypt(apiKey, DEMO_KEY_RECORD));

  // The emulators keep grants in memory, so after a restart a stored demo connection may hold
  // tokens they no longer know. A connection that still works is kept as it is (another instance
  // on the same store may have made it a moment ago); one whose grant is gone is re-granted in
  // place (same connection id), the way a person would reconnect it.
  const existing = (await connections.listForTenant(tenant.id)).filter((c) => c.status !== ConnectionStatus.DISCONNECTED);
  for (const { key: provider, slug, module, demoCredentials } of PLATFORMS) {
    const origin = emulators[slug];
    if (!origin) continue;
    let current = existing.find((c) => c.provider === provider);
    if (current?.status === ConnectionStatus.ACTIVE) {
      const problem = await lifecycle.probe(current);
      if (!problem) {
        log.debug({ provider }, 'demo connection already ACTIVE; kept');
        continue;
      }
      current = (await connections.get(current.id)) ?? current;
      if (problem.code !== 'NEEDS_REAUTH') {
        log.warn({ provider, code: problem.code }, 'demo connection did not answer; keeping it');
        continue;
      }
    }
    try {
      if (module.oauth) {
        const connection = await consentAsDemoUser(services, tenant, provider, current);
        log.info({ provider, status: connection?.status }, 'demo tenant connected through the emulator consent page');
      } else if (demoCredentials) {
        const credentials = demoCredentials(await dashboard(origin));
        await lifecycle.connect(tenant, { provider, credentials, sandbox: true }, { replace: current });
        log.info({ provider }, 'demo tenant connected to the emulator');
      }
    } catch (err) {
      log.warn({ provider, err: (err as Error).message }, 'could not connect the demo tenant');
    }
  }
  return apiKey;
}

/**
 * Drives a consent page the way a person would, server-side: start the connection, load the
 * authorize URL, submit the consent form (README §4 shape: hidden inputs, an `account` select,
 * `decision=allow`) and hand the redirect's parameters to the gateway's callback handler.
 */
async function consentAsDemoUser(services: Services, tenant: Tenant, provider: Provider, reauthorize?: ConnectionRecord) {
  // The demo may write (write: true); the start link is opened in-process, its cookie presented at the callback.
  const { startId } = await services.consent.start(tenant, provider, true, { reauthorize, write: true });
  const opened = await services.consent.open(startId);
  if (opened.kind !== 'redirect') throw new Error(`the ${provider} start link did not open (${opened.status})`);
  const authorizeUrl = opened.location;
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  const html = await page.text();
  const form = /<form[^>]*id="consent-form"[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form) throw new Error(`the ${provider} consent page has no consent form (HTTP ${page.status})`);
  const fields = new URLSearchParams();
  for (const m of form[2].matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields.append(unescapeHtml(m[1]), unescapeHtml(m[2]));
  const account = /<option value="([^"]*)"/.exec(form[2]);
  if (account) fields.set('account', unescapeHtml(account[1]));
  fields.set('decision', 'allow');
  const decided = await fetch(new URL(unescapeHtml(form[1]), authorizeUrl), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: fields,
  });
  const location = decided.headers.get('location');
  if (!location) throw new Error(`the ${provider} consent page did not redirect (HTTP ${decided.status})`);
  const outcome = await services.consent.complete(provider, new URL(location).searchParams, opened.cookie);
  return outcome.connection;
}

function unescapeHtml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] as string);
}
