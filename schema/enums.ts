import { registerEnumType } from 'type-graphql';
import { BookingEventType, BookingStatus, ConnectionStatus, Provider, WebhookMode } from '../src/connectors/provider.js';

registerEnumType(Provider, { name: 'Provider', description: 'The booking platforms Bookgraph connects to.' });
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
