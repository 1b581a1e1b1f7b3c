import { sandbox } from '../helpers/gateway.js';
import { connectorContract } from './contract.js';

// Appointedd: client credentials, no refresh token. Its grant is the API client itself: revoke-all
// only drops the issued access tokens (a new one is one request away), so a revoked grant is a
// deleted client, whose token requests the platform refuses with 401 invalid_client.
connectorContract({
  provider: 'APPOINTEDD',
  slug: 'appointedd',
  grant: 'client_credentials',
  tokensPerQuery: 1,
  bookingsPath: '/v2/bookings',
  statuses: ['CANCELED', 'COMPLETED', 'CONFIRMED', 'NO_SHOW', 'PENDING'],
  revokedGrant: {
    tokenRequests: 1,
    async revoke(origin) {
      await sandbox(origin, 'faults', { match: '/v2/oauth/tokens', status: 401 });
      await sandbox(origin, 'revoke-all');
    },
  },
});
