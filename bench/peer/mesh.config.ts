/**
 * Mesh Compose configuration of the peer benchmark (bench/peer.bench.ts runs `mesh-compose` with it):
 * OnSched's consumer OpenAPI document (bench/fixtures/, the appointments list only) turned into a
 * supergraph whose requests go to the OnSched emulator with static headers — a JWT and a company
 * API key the bench obtained once. Read from the environment at composition time:
 * PEER_ONSCHED_URL, PEER_ONSCHED_TOKEN, PEER_ONSCHED_API_KEY.
 */
import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

const need = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};

export const composeConfig = defineConfig({
  subgraphs: [
    {
      sourceHandler: loadOpenAPISubgraph('OnSched', {
        source: './bench/fixtures/onsched-consumer.openapi.json',
        endpoint: need('PEER_ONSCHED_URL'),
        operationHeaders: {
          Authorization: `Bearer ${need('PEER_ONSCHED_TOKEN')}`,
          'x-api-key': need('PEER_ONSCHED_API_KEY'),
        },
      }),
    },
  ],
});
