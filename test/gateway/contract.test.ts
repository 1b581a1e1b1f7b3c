import { readFileSync } from 'node:fs';
import { buildSchema, findBreakingChanges, findDangerousChanges } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printGatewaySchema } from '../../src/server/schema.js';

const contract = buildSchema(readFileSync(new URL('../fixtures/api-contract.graphql', import.meta.url), 'utf8'));
const committed = readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');

describe('the public API contract', () => {
  it('the printed schema keeps everything in shared/api-contract.graphql', () => {
    const ours = buildSchema(printGatewaySchema());
    expect(findBreakingChanges(contract, ours)).toEqual([]);
    // Additions are welcome (optional arguments); anything else graphql-js calls dangerous is not.
    expect(findDangerousChanges(contract, ours).filter((c) => c.type !== 'OPTIONAL_ARG_ADDED')).toEqual([]);
  });

  it('schema/schema.graphql is what the code prints', () => {
    expect(committed).toBe(printGatewaySchema());
  });

  it('a change to the contract would be noticed (the check can fail)', () => {
    const altered = buildSchema(
      readFileSync(new URL('../fixtures/api-contract.graphql', import.meta.url), 'utf8').replace(
        'nativeId: String!\n  name: String!',
        'nativeId: String!\n  name: String!\n  brandNewField: Int!',
      ),
    );
    expect(findBreakingChanges(altered, buildSchema(printGatewaySchema())).length).toBeGreaterThan(0);
  });
});
