import 'reflect-metadata';
import type { Logger } from 'pino';
import { type Config, hasPlatformConfig, type PlatformKey } from '../config/config.js';
import { startAllEmulators } from '../sandbox/index.js';
import { PLATFORMS, type Platform } from '../sandbox/framework/types.js';
import { dataDirOf, loadSecretBox } from '../store/keys.js';
import { openStore, type Store } from '../store/store.js';
import { createServices, type Services } from './app.js';
import { startHttp } from './http.js';
import { oauthCallbackRoute } from './oauth-routes.js';
import { createLogger } from './logger.js';
import { setUpDemoTenant } from './sandbox-mode.js';

export interface RunningGateway {
  url: string;
  services: Services;
  sandbox: boolean;
  /** Emulator origins in sandbox mode. */
  emulators: Partial<Record<Platform, string>>;
  /** The demo tenant's API key in sandbox mode. */
  demoApiKey: string | null;
  close(): Promise<void>;
}

/** Whether this configuration runs in sandbox mode (the embedded default). */
export function isSandbox(config: Config, env: NodeJS.ProcessEnv = process.env): boolean {
  return config.sandbox === 'true' || (config.sandbox === 'auto' && !hasPlatformConfig(env));
}

/**
 * Starts a gateway: store, encryption, services, HTTP. In sandbox mode it also starts the platform
 * emulators in-process, points the platforms' URLs at them (configuration only — connectors are
 * unchanged) and connects a demo tenant to each platform that has a connector.
 */
export async function startGateway(config: Config, opts: { env?: NodeJS.ProcessEnv; log?: Logger } = {}): Promise<RunningGateway> {
  const log = opts.log ?? createLogger(config.logLevel);
  const sandbox = isSandbox(config, opts.env);
  const { box } = loadSecretBox({ envKey: config.encryptionKey, sandbox, dataDir: dataDirOf(config.storeUrl) });
  const store: Store = await openStore(config.storeUrl);
  const cleanups: Array<() => Promise<void>> = [() => store.close()];
  try {
    const services = createServices(config, store, box, log);
    const graphiqlHeaders: Record<string, string> = {};
    const http = await startHttp(services, config.port, config.host, {
      graphiqlHeaders: sandbox ? graphiqlHeaders : undefined,
      routes: [oauthCallbackRoute(services.oauth)],
    });
    cleanups.unshift(() => http.close());
    // OAuth redirect URIs and webhook URLs need the public origin; with PORT=0 it is known only now.
    config.publicUrl ??= http.url;

    const emulators: Partial<Record<Platform, string>> = {};
    let demoApiKey: string | null = null;
    if (sandbox) {
      const started = await startAllEmulators({
        port: config.sandboxPortBase,
        rateLimits: config.sandboxRateLimits,
        redirectUris: PLATFORMS.map((p) => `${config.publicUrl}/oauth/callback/${p}`),
      });
      cleanups.splice(cleanups.length - 1, 0, () => started.close());
      for (const [platform, origin] of Object.entries(started.baseUrls)) {
        const key = platform.toUpperCase() as PlatformKey;
        // Explicitly configured URLs win (e.g. an emulator a test runs itself, outliving this gateway).
        if (explicitUrls(key, opts.env ?? process.env)) continue;
        emulators[platform as Platform] = origin;
        const app = await appCredentials(origin);
        const current = config.platforms[key];
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
      demoApiKey = await setUpDemoTenant(services, emulators, config.demoApiKey);
      graphiqlHeaders.Authorization = `Bearer ${demoApiKey}`;
    }
    return {
      url: http.url,
      services,
      sandbox,
      emulators,
      demoApiKey,
      async close() {
        for (const c of cleanups) await c();
      },
    };
  } catch (err) {
    for (const c of cleanups) await c().catch(() => undefined);
    throw err;
  }
}

/** The app's client id and secret an emulator's dashboard hands out (README §7), when it has them. */
async function appCredentials(origin: string): Promise<{ clientId?: string; clientSecret?: string }> {
  const res = await fetch(`${origin}/__sandbox/credentials`);
  const c = (await res.json()) as { client_id?: unknown; client_secret?: unknown };
  return typeof c.client_id === 'string' && typeof c.client_secret === 'string' ? { clientId: c.client_id, clientSecret: c.client_secret } : {};
}

/** Whether `<PLATFORM>_API_URL` or `<PLATFORM>_SANDBOX_API_URL` is set. */
function explicitUrls(key: PlatformKey, env: NodeJS.ProcessEnv): boolean {
  return Boolean(env[`${key}_API_URL`] || env[`${key}_SANDBOX_API_URL`]);
}
