import { connectorContract } from './contract.js';

// DaySchedule: authorization code with rotating refresh tokens; the demo tenant is connected
// through the emulator's consent page.
connectorContract({
  provider: 'DAYSCHEDULE',
  slug: 'dayschedule',
  grant: 'refresh_token',
  tokensPerQuery: 1,
  bookingsPath: '/v1/bookings',
  statuses: ['CANCELED', 'COMPLETED', 'CONFIRMED', 'PENDING'],
  // One refresh attempt finds the grant revoked (invalid_grant).
  revokedGrant: { tokenRequests: 1 },
});
