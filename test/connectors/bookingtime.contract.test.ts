import { connectorContract } from './contract.js';

// bookingtime: client credentials issue a 30-day refresh token (a grant), which the refresh_token
// grant exchanges for a 300-second access token per organization: two organizations, two tokens.
connectorContract({
  provider: 'BOOKINGTIME',
  slug: 'bookingtime',
  grant: 'refresh_token',
  tokensPerQuery: 2,
  bookingsPath: '/app/v3',
  statuses: ['CANCELED', 'COMPLETED', 'CONFIRMED'],
  // One refresh_token exchange per organization token finds the refresh token revoked.
  revokedGrant: { tokenRequests: 2 },
});
