import 'reflect-metadata';
import type { Logger } from 'pino';
import { type Config, hasPlatformConfig } from '../config/config.js';
import type { PlatformSlug } from '../connectors/platforms.js';
import { dataDirOf, loadSecretBox } from '../store/keys.js';
import { openStore, type Store } from '../store/store.js';
import { RedisEventBus } from '../events/bus.js';
import { PostgresEventBus } from '../events/postgres-bus.js';
import { createServices, type Services } from './app.js';
import { startHttp } from './http.js';
import { oauthCallbackRoute } from './oauth-routes.js';
import { webhookReceiverRoute } from './webhook-routes.js';
import { flushTracing } from '../observability/tracing.js';
import { createLogger } from './logger.js';
import { startSandbox } from './sandbox-mode.js';

export interface RunningGateway {
  url: string;
  services: Services;
  sandbox: boolean;
  /** Emulator origins in sandbox mode. */
  emulators: Partial<Record<PlatformSlug, string>>;
  /** The demo tenant's API key in sandbox mode. */
  demoApiKey: string | null;
  /** Sandbox mode: the demo tenant's connections, all made before `startGateway` resolves. */
  demoConnections: Array<{ provider: string; status: string }>;
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
export async function startGateway(
  config: Config,
  /** `clock`: the token manager's clock (tests that move time along with the emulators' clocks). */
  opts: { env?: NodeJS.ProcessEnv; log?: Logger; clock?: () => number } = {},
): Promise<RunningGateway> {
  const log = opts.log ?? createLogger(config.logLevel);
  const sandbox = isSandbox(config, opts.env);
  const { box } = loadSecretBox({ envKey: config.encryptionKey, sandbox, dataDir: dataDirOf(config.storeUrl) });
  const store: Store = await openStore(config.storeUrl);
  // Near the end: buffered spans are exported (a no-op when tracing is off), then the store closes.
  const cleanups: Array<() => Promise<void>> = [() => flushTracing(), () => store.close()];
  try {
    // Events cross instances through the shared store when it is Redis or PostgreSQL.
    const onBusError = (err: unknown) => log.warn({ err }, 'event bus');
    const events =
      store.backend === 'redis'
        ? await RedisEventBus.connect(config.storeUrl, onBusError)
        : store.backend === 'postgres'
          ? await PostgresEventBus.connect(config.storeUrl, onBusError)
          : undefined;
    if (events) cleanups.unshift(() => events.close());
    const services = createServices(config, store, box, log, events, { sandbox, clock: opts.clock });
    const graphiqlHeaders: Record<string, string> = {};
    // /readyz says 503 until everything below (sandbox mode: the demo tenant's connections) is done.
    let ready = false;
    const http = await startHttp(services, config.port, config.host, {
      ready: () => ready,
      graphiqlHeaders: sandbox ? graphiqlHeaders : undefined,
      routes: [oauthCallbackRoute(services.consent), webhookReceiverRoute(services.webhooks)],
    });
    cleanups.unshift(() => http.close());
    // OAuth redirect URIs and webhook URLs need the public origin; with PORT=0 it is known only now.
    config.publicUrl ??= http.url;

    let emulators: Partial<Record<PlatformSlug, string>> = {};
    let demoApiKey: string | null = null;
    let demoConnections: RunningGateway['demoConnections'] = [];
    if (sandbox) {
      const started = await startSandbox(services, opts.env ?? process.env);
      cleanups.splice(cleanups.length - 1, 0, () => started.close());
      emulators = started.emulators;
      demoApiKey = started.demoApiKey;
      demoConnections = started.demoConnections;
      graphiqlHeaders.Authorization = `Bearer ${demoApiKey}`;
    }
    // Polling and deliveries start once the emulators (sandbox mode) and the receiver URL exist.
    services.poller.start();
    services.deliveries.start();
    services.keepAlive.start();
    cleanups.unshift(async () => {
      await services.keepAlive.close();
      await services.poller.close();
      await services.deliveries.close();
    });
    ready = true;
    return {
      url: http.url,
      services,
      sandbox,
      emulators,
      demoApiKey,
      demoConnections,
      async close() {
        for (const c of cleanups) await c();
      },
    };
  } catch (err) {
    for (const c of cleanups) await c().catch(() => undefined);
    throw err;
  }
}
