import 'reflect-metadata';
import type { Logger } from 'pino';
import { type Config, hasPlatformConfig, type PlatformKey } from '../config/config.js';
import { startAllEmulators } from '../sandbox/index.js';
import { PLATFORMS, type Platform } from '../sandbox/framework/types.js';
import { dataDirOf, loadSecretBox } from '../store/keys.js';
import { openStore, type Store } from '../store/store.js';
import { createServices, type Services } from './app.js';
import { startHttp } from './http.js';
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
    const emulators: Partial<Record<Platform, string>> = {};
    if (sandbox) {
      const started = await startAllEmulators({
        port: config.sandboxPortBase,
        platforms: await builtPlatforms(),
        redirectUris: PLATFORMS.map((p) => `${config.publicUrl ?? `http://127.0.0.1:${config.port}`}/oauth/callback/${p}`),
      });
      cleanups.unshift(() => started.close());
      for (const [platform, origin] of Object.entries(started.baseUrls)) {
        emulators[platform as Platform] = origin;
        const key = platform.toUpperCase() as PlatformKey;
        config.platforms[key] = { ...config.platforms[key], apiUrl: origin, authUrl: origin, sandboxApiUrl: origin, sandboxAuthUrl: origin };
      }
    }
    const services = createServices(config, store, box, log);
    let demoApiKey: string | null = null;
    const graphiqlHeaders: Record<string, string> = {};
    if (sandbox) {
      demoApiKey = await setUpDemoTenant(services, emulators, config.demoApiKey);
      graphiqlHeaders.Authorization = `Bearer ${demoApiKey}`;
    }
    const http = await startHttp(services, config.port, config.host, { graphiqlHeaders: sandbox ? graphiqlHeaders : undefined });
    cleanups.unshift(() => http.close());
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

/** Emulators whose platform module is built (a stub throws when constructed). */
async function builtPlatforms(): Promise<Platform[]> {
  const { startEmulator } = await import('../sandbox/index.js');
  const out: Platform[] = [];
  for (const p of PLATFORMS) {
    try {
      const e = await startEmulator(p);
      await e.close();
      out.push(p);
    } catch {
      // not built yet
    }
  }
  return out;
}
