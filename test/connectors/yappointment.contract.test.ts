import { connectorContract } from './contract.js';

// yAppointment: authorization code with refresh tokens; the demo tenant is connected through the
// emulator's consent page.
connectorContract({
  provider: 'YAPPOINTMENT',
  slug: 'yappointment',
  grant: 'refresh_token',
  tokensPerQuery: 1,
  bookingsPath: '/api/v1/bookings',
  statuses: ['CANCELED', 'COMPLETED', 'CONFIRMED', 'NO_SHOW', 'PENDING'],
  revokedGrant: { tokenRequests: 1 },
});
