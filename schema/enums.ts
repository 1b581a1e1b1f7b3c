import { registerEnumType } from 'type-graphql';
import { BookingEventType, BookingStatus, ConnectionStatus, WebhookMode } from '../src/connectors/enums.js';
import { PLATFORMS, Provider } from '../src/connectors/platforms.js';

registerEnumType(Provider, {
  name: 'Provider',
  description: 'The booking platforms Bookgraph connects to.',
  valuesConfig: Object.fromEntries(PLATFORMS.map((p) => [p.key, { description: p.displayName }])),
});
registerEnumType(BookingStatus, { name: 'BookingStatus' });
registerEnumType(ConnectionStatus, { name: 'ConnectionStatus' });
registerEnumType(BookingEventType, { name: 'BookingEventType' });
registerEnumType(WebhookMode, {
  name: 'WebhookMode',
  valuesConfig: {
    NATIVE: { description: "The platform calls the gateway (registered through the platform's API)." },
    POLLING: { description: 'The platform has no usable webhook API; the gateway detects changes itself.' },
  },
});

export { BookingEventType, BookingStatus, ConnectionStatus, Provider, WebhookMode };
