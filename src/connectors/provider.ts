/** The platforms Bookgraph connects to; values are the GraphQL `Provider` enum names. */
export enum Provider {
  DAYSCHEDULE = 'DAYSCHEDULE',
  BOOKINGTIME = 'BOOKINGTIME',
  YAPPOINTMENT = 'YAPPOINTMENT',
  APPOINTEDD = 'APPOINTEDD',
  ONSCHED = 'ONSCHED',
}

export const PROVIDERS = Object.values(Provider);

/** How people write each platform's name. */
export const PROVIDER_NAMES: Record<Provider, string> = {
  DAYSCHEDULE: 'DaySchedule',
  BOOKINGTIME: 'bookingtime',
  YAPPOINTMENT: 'yAppointment',
  APPOINTEDD: 'Appointedd',
  ONSCHED: 'OnSched',
};

/** Lower-case platform name used in URLs and the emulator registry (`/oauth/callback/appointedd`). */
export function providerSlug(p: Provider): 'dayschedule' | 'bookingtime' | 'yappointment' | 'appointedd' | 'onsched' {
  return p.toLowerCase() as ReturnType<typeof providerSlug>;
}

export function providerFromSlug(slug: string): Provider | null {
  const upper = slug.toUpperCase();
  return (PROVIDERS as string[]).includes(upper) ? (upper as Provider) : null;
}

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
