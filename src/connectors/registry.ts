import { appointeddModule } from './appointedd/index.js';
import type { Provider } from './provider.js';
import type { ConnectorModule } from './types.js';

/** Every platform the gateway can connect, by provider. Adding a platform = a folder + one line here. */
export const connectorModules: Partial<Record<Provider, ConnectorModule<any, any>>> = {
  APPOINTEDD: appointeddModule,
};
