/**
 * A minimal typed Bookgraph client: the operations in examples/operations/ compiled by GraphQL
 * Code Generator (`npm run codegen`) into typed documents, sent with fetch.
 *
 *   BOOKGRAPH_URL=http://127.0.0.1:4000 BOOKGRAPH_API_KEY=bg_… npx tsx examples/client.ts
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { ConnectionsDocument, type UpcomingBookingsQuery, UpcomingBookingsDocument } from './__generated__/graphql.js';

export class BookgraphClient {
  constructor(
    private readonly url: string,
    private readonly apiKey: string,
  ) {}

  /** Runs a typed operation; throws when the answer has no data, returns data and per-provider errors. */
  async request<R, V>(
    document: TypedDocumentNode<R, V>,
    variables?: V,
  ): Promise<{ data: R; errors: Array<{ message: string; extensions?: Record<string, unknown> }> }> {
    const res = await fetch(`${this.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.apiKey}` },
      body: JSON.stringify({ query: print(document), variables }),
    });
    const body = (await res.json()) as { data?: R | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
    if (!body.data) throw new Error(`Bookgraph answered HTTP ${res.status}: ${body.errors?.map((e) => e.message).join('; ')}`);
    return { data: body.data, errors: body.errors ?? [] };
  }

  /** Every booking of every platform, page by page. */
  async *allBookings(pageSize = 50) {
    let after: string | null = null;
    do {
      const { data }: { data: UpcomingBookingsQuery } = await this.request(UpcomingBookingsDocument, { first: pageSize, after });
      for (const edge of data.bookings.edges) yield edge.node;
      after = data.bookings.pageInfo.hasNextPage ? (data.bookings.pageInfo.endCursor ?? null) : null;
    } while (after);
  }

  connections() {
    return this.request(ConnectionsDocument);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const client = new BookgraphClient(process.env.BOOKGRAPH_URL ?? 'http://127.0.0.1:4000', process.env.BOOKGRAPH_API_KEY ?? '');
  const { data } = await client.connections();
  for (const c of data.connections) console.log(`${c.provider}\t${c.status}\t${c.label ?? ''}`);
  let n = 0;
  for await (const b of client.allBookings()) if (n++ < 10) console.log(`${b.startsAt}\t${b.provider}\t${b.status}\t${b.service?.name ?? ''}`);
  console.log(`${n} bookings in all`);
}
