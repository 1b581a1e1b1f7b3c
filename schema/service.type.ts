import { Field, Int, ObjectType } from 'type-graphql';
import { Money } from './common.type.js';
import { Provider } from './enums.js';
import { Node } from './node.type.js';
import { JSONScalar } from './scalars.js';

@ObjectType('Service', { implements: Node, description: 'Something a customer can book.' })
export class Service extends Node {
  @Field(() => Provider)
  provider!: Provider;

  @Field(() => String)
  nativeId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => Int, { nullable: true })
  durationMinutes!: number | null;

  @Field(() => Money, { nullable: true })
  price!: Money | null;

  @Field(() => JSONScalar, { nullable: true })
  raw!: unknown;
}
