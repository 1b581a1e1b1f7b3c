import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { gql } from '../helpers/gateway.js';

/** Shared pieces of the booking-event suites: a graphql-ws listener, polling waits, subscriptions (webhook targets: `../helpers/recorder.js`). */

export type Json = Record<string, any>;

/** A graphql-ws client subscribed to `bookingEvents` (all providers, all types); `seen` collects the events. */
export async function listen(gatewayUrl: string, apiKey: string, query = BOOKING_EVENTS) {
  const client = createClient({
    url: `${gatewayUrl.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${apiKey}` },
    retryAttempts: 0,
  });
  const seen: Array<Json & { at: number }> = [];
  const errors: unknown[] = [];
  const ready = new Promise<void>((resolve) => client.on('connected', () => resolve()));
  client.subscribe(
    { query },
    { next: (v) => seen.push({ ...(v.data?.bookingEvents as Json), at: Date.now() }), error: (e) => errors.push(e), complete: () => undefined },
  );
  await ready;
  // The server subscribes the operation right after the connection is acknowledged.
  await new Promise((r) => setTimeout(r, 100));
  return { seen, errors, close: () => client.dispose() };
}

export const BOOKING_EVENTS = `subscription { bookingEvents { id type provider occurredAt booking { id nativeId provider status startsAt } } }`;

/** Waits until `check` is true (polling every 50 ms), at most `ms`; answers whether it became true. */
export async function waitFor(check: () => boolean, ms = 10_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The demo tenant's connection of `provider`. */
export async function connectionOf(url: string, apiKey: string, provider: string): Promise<Json> {
  const r = await gql(url, apiKey, '{ connections { id provider status } }');
  return (r.body.data.connections as Json[]).find((c) => c.provider === provider) as Json;
}

export const SUBSCRIBE = `mutation($input: SubscribeWebhookInput!) {
  subscribeWebhook(input: $input) { id mode targetUrl signingSecret receiverUrl events createdAt connection { id provider } }
}`;

/** Subscribes `connectionId` through GraphQL; fails loudly on errors. */
export async function subscribe(url: string, apiKey: string, input: { connectionId: string; events: string[]; targetUrl?: string | null }): Promise<Json> {
  const r = await gql(url, apiKey, SUBSCRIBE, { input });
  if (r.body.errors) throw new Error(JSON.stringify(r.body.errors));
  return r.body.data.subscribeWebhook;
}

export const DELIVERIES = `query { webhookSubscriptions { id deliveries(first: 50) { edges { node { id status attempts lastStatusCode lastError nextAttemptAt event { id type booking { nativeId } } } } } } }`;

/** The deliveries of subscription `id`, newest first. */
export async function deliveriesOf(url: string, apiKey: string, id: string): Promise<Json[]> {
  const r = await gql(url, apiKey, DELIVERIES);
  if (r.body.errors) throw new Error(JSON.stringify(r.body.errors));
  const sub = (r.body.data.webhookSubscriptions as Json[]).find((s) => s.id === id);
  return sub ? sub.deliveries.edges.map((e: Json) => e.node) : [];
}
