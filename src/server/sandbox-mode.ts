import { ConnectionStatus, Provider, providerFromSlug } from '../connectors/provider.js';
import type { Platform } from '../sandbox/framework/types.js';
import type { Services } from './app.js';

const DEMO_TENANT = 'demo';
const DEMO_KEY_RECORD = 'sandbox:demo-api-key';

/**
 * How the demo tenant connects to each emulator: the emulator's `/__sandbox/credentials` (its
 * "dashboard") turned into `connectProvider` credentials. Only sandbox mode uses this table.
 */
const DEMO_CREDENTIALS: Partial<Record<Provider, (creds: Record<string, any>) => unknown>> = {
  [Provider.APPOINTEDD]: (c) => ({ clientId: c.client_id, clientSecret: c.client_secret }),
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

  const existing = await connections.listForTenant(tenant.id);
  for (const [platform, origin] of Object.entries(emulators)) {
    const provider = providerFromSlug(platform);
    const toCredentials = provider ? DEMO_CREDENTIALS[provider] : undefined;
    if (!provider || !toCredentials || !services.hub.module(provider)) continue;
    if (existing.some((c) => c.provider === provider && c.status === ConnectionStatus.ACTIVE)) continue;
    try {
      const res = await fetch(`${origin}/__sandbox/credentials`);
      const creds = (await res.json()) as Record<string, unknown>;
      await gateway.connectProvider(tenant, { provider, credentials: toCredentials(creds), sandbox: true });
      log.info({ provider }, 'demo tenant connected to the emulator');
    } catch (err) {
      log.warn({ provider, err: (err as Error).message }, 'could not connect the demo tenant');
    }
  }
  return apiKey;
}
