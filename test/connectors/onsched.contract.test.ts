import { connectorContract } from './contract.js';

// OnSched: a dashboard refresh token that rotates on every use (refresh_token grant).
connectorContract({
  provider: 'ONSCHED',
  slug: 'onsched',
  grant: 'refresh_token',
  tokensPerQuery: 1,
  bookingsPath: '/consumer/v1/appointments',
  statuses: ['CANCELED', 'COMPLETED', 'CONFIRMED', 'NO_SHOW', 'PENDING'],
  revokedGrant: { tokenRequests: 1 },
});
