import { ConnectionStatus, Provider, providerFromSlug } from '../connectors/provider.js';
import type { Platform } from '../sandbox/framework/types.js';
import type { Tenant } from '../auth/tenants.js';
import type { ConnectionRecord } from '../connections/connections.js';
import type { Services } from './app.js';

const DEMO_TENANT = 'demo';
const DEMO_KEY_RECORD = 'sandbox:demo-api-key';

/**
 * How the demo tenant connects to each emulator: the emulator's `/__sandbox/credentials` (its
 * "dashboard") turned into `connectProvider` credentials. Only sandbox mode uses this table.
 */
const DEMO_CREDENTIALS: Partial<Record<Provider, (creds: Record<string, any>) => unknown>> = {
  [Provider.APPOINTEDD]: (c) => ({ clientId: c.client_id, clientSecret: c.client_secret }),
  [Provider.BOOKINGTIME]: (c) => ({ clientId: c.client_id, clientSecret: c.client_secret, appId: c.app_id }),
  [Provider.ONSCHED]: (c) => ({ refreshToken: c.refresh_token, companyApiKeys: c.companies.map((k: { api_key: string }) => k.api_key) }),
};

/**
 * Creates (or reuses) the demo tenant and connects it to every emulator whose platform has a
 * connector, reusing connections that are still ACTIVE (so a restart keeps them, tokens included).
 * Returns the demo API key (DEMO_API_KEY when set; else generated once and kept encrypted).
 */
export async function setUpDemoTenant(services: Services, emulators: Partial<Record<Platform, string>>, fixedKey?: string): Promise<string> {
  const { tenants, store, box, gateway, connections, log } = services;
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
  // tokens they no longer know. A connection that still works is kept as it is; one whose grant is
  // gone is re-granted in place (same connection id), the way a person would reconnect it.
  const existing = (await connections.listForTenant(tenant.id)).filter((c) => c.status !== ConnectionStatus.DISCONNECTED);
  for (const [platform, origin] of Object.entries(emulators)) {
    const provider = providerFromSlug(platform);
    const module = provider ? services.hub.module(provider) : undefined;
    if (!provider || !module) continue;
    let current = existing.find((c) => c.provider === provider);
    if (current?.status === ConnectionStatus.ACTIVE) {
      const problem = await gateway.probe(current);
      if (!problem) continue;
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
        continue;
      }
      const toCredentials = DEMO_CREDENTIALS[provider];
      if (!toCredentials) continue;
      const res = await fetch(`${origin}/__sandbox/credentials`);
      const creds = (await res.json()) as Record<string, unknown>;
      await gateway.connectProvider(tenant, { provider, credentials: toCredentials(creds), sandbox: true }, { replace: current });
      log.info({ provider }, 'demo tenant connected to the emulator');
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
  const { authorizeUrl } = await services.oauth.start(tenant, provider, true, { reauthorize });
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
  const outcome = await services.oauth.complete(provider, new URL(location).searchParams);
  return outcome.connection;
}

function unescapeHtml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] as string);
}
