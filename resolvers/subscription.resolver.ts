import { Arg, Resolver, Root, Subscription } from 'type-graphql';
import { ProviderConnection } from '../schema/connection.type.js';
import { BookingEventType, Provider } from '../schema/enums.js';
import { BookingEvent } from '../schema/events.type.js';
import type { BookingEventPayload } from '../src/events/event.js';
import type { ConnectionRecord } from '../src/connections/connections.js';
import { topics } from '../src/events/topics.js';
import type { GraphQLContext } from './context.js';

/**
 * Passes on only the values `keep` accepts, each in a new request scope of `ctx`; returning it ends
 * the source.
 */
async function* filterIterator<T>(ctx: GraphQLContext, source: AsyncIterableIterator<T>, keep: (v: T) => boolean): AsyncGenerator<T> {
  try {
    for await (const v of source) {
      if (!keep(v)) continue;
      ctx.renew();
      yield v;
    }
  } finally {
    await source.return?.();
  }
}

@Resolver()
export class SubscriptionResolver {
  @Subscription(() => BookingEvent, {
    subscribe: ({ context, args }) => {
      const ctx = context as GraphQLContext;
      const wanted = args as { providers?: Provider[] | null; types?: BookingEventType[] | null };
      return filterIterator(
        ctx,
        ctx.events.subscribe<BookingEventPayload>(topics.bookingEvents(ctx.tenant.id)),
        (e) => (!wanted.providers?.length || wanted.providers.includes(e.provider)) && (!wanted.types?.length || wanted.types.includes(e.type)),
      );
    },
  })
  bookingEvents(
    @Root() event: BookingEventPayload,
    @Arg('providers', () => [Provider], { nullable: true }) _providers: Provider[] | null,
    @Arg('types', () => [BookingEventType], { nullable: true }) _types: BookingEventType[] | null,
  ): BookingEventPayload {
    return event;
  }

  @Subscription(() => ProviderConnection, {
    subscribe: ({ context }) => (context as GraphQLContext).events.subscribe(topics.connectionStatus((context as GraphQLContext).tenant.id)),
  })
  connectionStatusChanged(@Root() connection: ConnectionRecord): ConnectionRecord {
    return connection;
  }
}
