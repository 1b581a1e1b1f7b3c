import { Field, ObjectType } from 'type-graphql';
import { Provider } from './enums.js';
import { Node } from './node.type.js';
import { JSONScalar } from './scalars.js';

@ObjectType('Customer', { implements: Node })
export class Customer extends Node {
  @Field(() => Provider)
  provider!: Provider;

  @Field(() => String)
  nativeId!: string;

  @Field(() => String, { nullable: true })
  firstName!: string | null;

  @Field(() => String, { nullable: true })
  lastName!: string | null;

  @Field(() => String, { nullable: true })
  email!: string | null;

  @Field(() => String, { nullable: true })
  phone!: string | null;

  @Field(() => JSONScalar, { nullable: true })
  raw!: unknown;
}
