import { GraphQLScalarType } from 'graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';

/** An ISO-8601 date-time in UTC; serialized as `2026-11-23T14:30:00.000Z`, any offset accepted as input. */
export const DateTimeScalar = new GraphQLScalarType({
  ...DateTimeResolver.toConfig(),
  name: 'DateTime',
  description: 'An ISO-8601 date-time in UTC, e.g. 2026-11-23T14:30:00.000Z.',
  serialize(value) {
    const d = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(d.getTime())) throw new TypeError('DateTime cannot represent an invalid date');
    return d.toISOString();
  },
});

/** The platform's own record, untouched. */
export const JSONScalar = new GraphQLScalarType({
  ...JSONResolver.toConfig(),
  name: 'JSON',
  description: "Arbitrary JSON: the platform's own record, untouched.",
});
