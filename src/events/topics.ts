/** Event-bus topics are per tenant: a subscriber only ever sees its own tenant's events. */
export const topics = {
  bookingEvents: (tenantId: string) => `tenant:${tenantId}:booking-events`,
  connectionStatus: (tenantId: string) => `tenant:${tenantId}:connection-status`,
};
