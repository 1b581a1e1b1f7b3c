/**
 * The floor the gateway is measured against: a bare Apollo Server 5 + type-graphql app serving the
 * same shape as the gateway's `bookings` — a `bookings(first, after, filter)` connection of 50
 * Booking records held in memory, each with a nested `service { name }` and `customer { firstName }`
 * resolved by field resolvers — with no auth, no connectors, no platform calls and no cache.
 *
 *   npx tsx bench/baseline-server.ts            # port BASELINE_PORT, default 4090
 *
 * Prints `baseline listening on http://127.0.0.1:<port>/graphql` when ready; SIGINT/SIGTERM stop it.
 *
 * The types are minimal copies of `schema/`'s (same type, field and enum names), not imports:
 * `schema/enums.ts` loads the platform list and with it every connector, and the baseline is meant to
 * be bare (and to keep running while `src/` is being edited).
 */
import 'reflect-metadata';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { GraphQLScalarType } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { Arg, buildSchema, Field, FieldResolver, ID, InputType, Int, ObjectType, Query, registerEnumType, Resolver, Root } from 'type-graphql';

enum Provider {
  DAYSCHEDULE = 'DAYSCHEDULE',
  BOOKINGTIME = 'BOOKINGTIME',
  YAPPOINTMENT = 'YAPPOINTMENT',
  APPOINTEDD = 'APPOINTEDD',
  ONSCHED = 'ONSCHED',
}
enum BookingStatus {
  CONFIRMED = 'CONFIRMED',
  PENDING = 'PENDING',
  CANCELED = 'CANCELED',
  COMPLETED = 'COMPLETED',
  NO_SHOW = 'NO_SHOW',
}
registerEnumType(Provider, { name: 'Provider' });
registerEnumType(BookingStatus, { name: 'BookingStatus' });

/** The gateway's DateTime: ISO-8601 in UTC. */
const DateTimeScalar = new GraphQLScalarType({
  ...DateTimeResolver.toConfig(),
  name: 'DateTime',
  serialize: (value) => (value instanceof Date ? value : new Date(String(value))).toISOString(),
});

@ObjectType('Service')
class Service {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;
}

@ObjectType('Customer')
class Customer {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  firstName!: string | null;
}

@ObjectType('Booking')
class Booking {
  @Field(() => ID)
  id!: string;

  @Field(() => Provider)
  provider!: Provider;

  @Field(() => BookingStatus)
  status!: BookingStatus;

  @Field(() => DateTimeScalar)
  startsAt!: Date;

  @Field(() => DateTimeScalar)
  endsAt!: Date;

  serviceRef!: string;
  customerRef!: string;
}

@ObjectType('BookingEdge')
class BookingEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Booking)
  node!: Booking;
}

@ObjectType('PageInfo')
class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType('BookingConnection')
class BookingConnection {
  @Field(() => [BookingEdge])
  edges!: BookingEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@InputType('BookingFilter')
class BookingFilter {
  @Field(() => [Provider], { nullable: true })
  providers?: Provider[] | null;

  @Field(() => [BookingStatus], { nullable: true })
  status?: BookingStatus[] | null;

  @Field(() => DateTimeScalar, { nullable: true })
  startsAfter?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  startsBefore?: Date | null;
}

// 50 bookings (Appointedd, like the gateway's cached read), 8 services, 20 customers.
const SERVICE_NAMES = ['Sports Massage', 'Math Tutoring', 'Haircut', 'Consultation', 'Yoga Class', 'Dental Check-up', 'Photo Session', 'Piano Lesson'];
const FIRST_NAMES = [
  'Zoë',
  'Søren',
  'Amélie',
  'José',
  'Mia',
  'Noah',
  'Ava',
  'Liam',
  'Ines',
  'Kai',
  'Lena',
  'Omar',
  'Yuki',
  'Ada',
  'Theo',
  'Nora',
  'Ravi',
  'Elif',
  'Jonas',
  'Aiko',
];
const STATUSES = Object.values(BookingStatus);
/** An opaque id of the gateway's length (base64url of a JSON tuple). */
const opaqueId = (type: string, ref: string) => Buffer.from(JSON.stringify(['bg1', type, 'APPOINTEDD', 'cn_0123456789abcdef0123', ref])).toString('base64url');
const services = new Map(SERVICE_NAMES.map((name, i) => [`svc${i}`, { id: opaqueId('Service', `svc${i}`), name }]));
const customers = new Map(FIRST_NAMES.map((firstName, i) => [`cus${i}`, { id: opaqueId('Customer', `cus${i}`), firstName }]));
const day0 = Date.UTC(2026, 10, 2, 9);
const BOOKINGS: Booking[] = Array.from({ length: 50 }, (_, i) => {
  const ref = `6ad302b6f57cdc66${(0x3ae3f3fe + i * 7919).toString(16)}`;
  const startsAt = new Date(day0 + i * 5 * 3_600_000);
  return Object.assign(new Booking(), {
    id: opaqueId('Booking', ref),
    provider: Provider.APPOINTEDD,
    status: STATUSES[i % STATUSES.length],
    startsAt,
    endsAt: new Date(startsAt.getTime() + 3_600_000),
    serviceRef: `svc${i % SERVICE_NAMES.length}`,
    customerRef: `cus${i % FIRST_NAMES.length}`,
  });
});

@Resolver()
class QueryResolver {
  @Query(() => BookingConnection)
  bookings(
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('filter', () => BookingFilter, { nullable: true }) filter: BookingFilter | null,
  ): BookingConnection {
    const from = after ? Number(Buffer.from(after, 'base64url').toString()) + 1 : 0;
    const matching = BOOKINGS.filter(
      (b) =>
        (!filter?.providers || filter.providers.includes(b.provider)) &&
        (!filter?.status || filter.status.includes(b.status)) &&
        (!filter?.startsAfter || b.startsAt >= filter.startsAfter) &&
        (!filter?.startsBefore || b.startsAt < filter.startsBefore),
    );
    const page = matching.slice(from, from + first);
    const edges = page.map((node, i) => ({ cursor: Buffer.from(String(from + i)).toString('base64url'), node }));
    return { edges, pageInfo: { hasNextPage: from + first < matching.length, endCursor: edges.at(-1)?.cursor ?? null } };
  }
}

@Resolver(() => Booking)
class BookingResolver {
  @FieldResolver(() => Service, { nullable: true })
  service(@Root() b: Booking) {
    return services.get(b.serviceRef) ?? null;
  }

  @FieldResolver(() => Customer, { nullable: true })
  customer(@Root() b: Booking) {
    return customers.get(b.customerRef) ?? null;
  }
}

const port = Number(process.env.BASELINE_PORT ?? 4090);
const schema = await buildSchema({ resolvers: [QueryResolver, BookingResolver], validate: false });
const server = new ApolloServer({ schema, stopOnTerminationSignals: false });
const { url } = await startStandaloneServer(server, { listen: { port, host: '127.0.0.1' } });
console.log(`baseline listening on ${url.replace('localhost', '127.0.0.1')}graphql`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
