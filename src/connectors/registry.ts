import { appointeddModule } from './appointedd/index.js';
import { bookingtimeModule } from './bookingtime/index.js';
import { dayscheduleModule } from './dayschedule/index.js';
import { onschedModule } from './onsched/index.js';
import type { Provider } from './provider.js';
import type { ConnectorModule } from './types.js';
import { yappointmentModule } from './yappointment/index.js';

/** Every platform the gateway can connect, by provider. Adding a platform = a folder + one line here. */
export const connectorModules: Partial<Record<Provider, ConnectorModule<any, any>>> = {
  APPOINTEDD: appointeddModule,
  BOOKINGTIME: bookingtimeModule,
  DAYSCHEDULE: dayscheduleModule,
  ONSCHED: onschedModule,
  YAPPOINTMENT: yappointmentModule,
};
