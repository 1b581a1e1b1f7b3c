/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation CreateBooking($input: CreateBookingInput!) {\n  createBooking(input: $input) {\n    id\n    status\n    startsAt\n    endsAt\n    provider\n  }\n}": typeof types.CreateBookingDocument,
    "query Connections {\n  connections {\n    id\n    provider\n    status\n    statusReason\n    label\n    accessTokenExpiresAt\n    organizations {\n      id\n      name\n      timezone\n    }\n  }\n}": typeof types.ConnectionsDocument,
    "query UpcomingBookings($first: Int, $after: String, $filter: BookingFilter) {\n  bookings(first: $first, after: $after, filter: $filter) {\n    edges {\n      cursor\n      node {\n        id\n        provider\n        status\n        startsAt\n        endsAt\n        timezone\n        service {\n          name\n          durationMinutes\n        }\n        customer {\n          firstName\n          lastName\n          email\n        }\n        organization {\n          name\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.UpcomingBookingsDocument,
};
const documents: Documents = {
    "mutation CreateBooking($input: CreateBookingInput!) {\n  createBooking(input: $input) {\n    id\n    status\n    startsAt\n    endsAt\n    provider\n  }\n}": types.CreateBookingDocument,
    "query Connections {\n  connections {\n    id\n    provider\n    status\n    statusReason\n    label\n    accessTokenExpiresAt\n    organizations {\n      id\n      name\n      timezone\n    }\n  }\n}": types.ConnectionsDocument,
    "query UpcomingBookings($first: Int, $after: String, $filter: BookingFilter) {\n  bookings(first: $first, after: $after, filter: $filter) {\n    edges {\n      cursor\n      node {\n        id\n        provider\n        status\n        startsAt\n        endsAt\n        timezone\n        service {\n          name\n          durationMinutes\n        }\n        customer {\n          firstName\n          lastName\n          email\n        }\n        organization {\n          name\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.UpcomingBookingsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateBooking($input: CreateBookingInput!) {\n  createBooking(input: $input) {\n    id\n    status\n    startsAt\n    endsAt\n    provider\n  }\n}"): (typeof documents)["mutation CreateBooking($input: CreateBookingInput!) {\n  createBooking(input: $input) {\n    id\n    status\n    startsAt\n    endsAt\n    provider\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Connections {\n  connections {\n    id\n    provider\n    status\n    statusReason\n    label\n    accessTokenExpiresAt\n    organizations {\n      id\n      name\n      timezone\n    }\n  }\n}"): (typeof documents)["query Connections {\n  connections {\n    id\n    provider\n    status\n    statusReason\n    label\n    accessTokenExpiresAt\n    organizations {\n      id\n      name\n      timezone\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query UpcomingBookings($first: Int, $after: String, $filter: BookingFilter) {\n  bookings(first: $first, after: $after, filter: $filter) {\n    edges {\n      cursor\n      node {\n        id\n        provider\n        status\n        startsAt\n        endsAt\n        timezone\n        service {\n          name\n          durationMinutes\n        }\n        customer {\n          firstName\n          lastName\n          email\n        }\n        organization {\n          name\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): (typeof documents)["query UpcomingBookings($first: Int, $after: String, $filter: BookingFilter) {\n  bookings(first: $first, after: $after, filter: $filter) {\n    edges {\n      cursor\n      node {\n        id\n        provider\n        status\n        startsAt\n        endsAt\n        timezone\n        service {\n          name\n          durationMinutes\n        }\n        customer {\n          firstName\n          lastName\n          email\n        }\n        organization {\n          name\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;