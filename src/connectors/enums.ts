/** The unified vocabulary every connector maps its platform onto (GraphQL enums of the same names). */

export enum BookingStatus {
  CONFIRMED = 'CONFIRMED',
  PENDING = 'PENDING',
  CANCELED = 'CANCELED',
  COMPLETED = 'COMPLETED',
  NO_SHOW = 'NO_SHOW',
}

export enum ConnectionStatus {
  PENDING = 'PENDING',
  ACTIVE = 'ACTIVE',
  NEEDS_REAUTH = 'NEEDS_REAUTH',
  ERROR = 'ERROR',
  DISCONNECTED = 'DISCONNECTED',
}

export enum BookingEventType {
  BOOKING_CREATED = 'BOOKING_CREATED',
  BOOKING_CANCELED = 'BOOKING_CANCELED',
  BOOKING_STARTING_SOON = 'BOOKING_STARTING_SOON',
  BOOKING_STARTED = 'BOOKING_STARTED',
  BOOKING_ENDED = 'BOOKING_ENDED',
}

export enum WebhookMode {
  NATIVE = 'NATIVE',
  POLLING = 'POLLING',
}
